package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.transcnn.HatNetConfig;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TransCNN / HAT-Net against the reference ({@code yun-liu/TransCNN@4b2e7bf HAT_Net.py}): every
 * case × {@code .pth} and {@code .safetensors}, logits and every captured feature in forward
 * order.
 */
@Tag("golden")
class HatNetGoldenTest {

  static Stream<Arguments> cases() {
    return GoldenCase.withFormats(Arch.TRANSCNN);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws IOException {
    List<GoldenAssert.Measured> measured =
        GoldenHarness.check(c, format, HatNetConfig.fromFixture(c.metadata()).createModule());
    assertEquals(c.expected().size(), measured.size(), "every fixture tensor was compared");
  }
}
