package io.tfhybrid.golden;

import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.interop.verify.Tolerance;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CvT against the official microsoft/CvT outputs: every case × {.pth, .safetensors}, logits and
 * every captured feature within {@link Tolerance#DEFAULT}.
 */
@Tag("golden")
class CvtGoldenTest {
  static Stream<Arguments> cases() {
    return GoldenCase.withFormats(Arch.CVT);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws IOException {
    GoldenHarness.check(c, format, CvtConfig.fromFixture(c.metadata()).createModule());
  }
}
