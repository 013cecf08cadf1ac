package io.tfhybrid.golden;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.contnet.ContNet;
import io.tfhybrid.arch.contnet.ContNetConfig;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ConTNet fixture (2-, 3- and 4-stage configs, all four flags varied), from weights.pth and
 * from weights.safetensors: logits and every captured feature within Tolerance.DEFAULT.
 */
@Tag("golden")
class ContNetGoldenTest {

  static Stream<Arguments> cases() {
    return GoldenCase.withFormats(Arch.CONTNET);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(c, format, new ContNet(ContNetConfig.fromFixture(c.metadata())));
  }
}
