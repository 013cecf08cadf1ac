package io.tfhybrid.golden;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.conv2former.Conv2Former;
import io.tfhybrid.arch.conv2former.Conv2FormerConfig;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Conv2Former fixture, from weights.pth and from weights.safetensors. */
@Tag("golden")
class Conv2FormerGoldenTest {

  static Stream<Arguments> cases() {
    return GoldenCase.withFormats(Arch.CONV2FORMER);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(
        c, format, new Conv2Former(Conv2FormerConfig.fromFixture(c.metadata())));
  }
}
