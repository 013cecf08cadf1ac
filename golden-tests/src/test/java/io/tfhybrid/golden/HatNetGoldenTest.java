package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.transcnn.HatNetConfig;
import java.io.IOException;
import java.util.Arrays;
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
    return GoldenCase.all(Arch.TRANSCNN)
        .flatMap(c -> Arrays.stream(Format.values()).map(f -> Arguments.of(c, f)));
  }

  /** The case's model, from config.json's {@code build} (the reference's argument names). */
  static HatNetConfig config(GoldenCase c) {
    JsonNode build = c.config().get("build");
    JsonNode hp = build.get("hyper_parameters");
    return HatNetConfig.of(ints(hp.get("dims")), hp.get("head_dim").asInt(),
        ints(hp.get("expansions")), ints(hp.get("grid_sizes")), ints(hp.get("ds_ratios")),
        ints(hp.get("depths")), ints(hp.get("kernel_sizes")), build.get("num_classes").asInt());
  }

  static int[] ints(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asInt();
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws IOException {
    List<GoldenAssert.Measured> measured =
        GoldenHarness.check(c, format, config(c).createModule());
    assertEquals(c.expected().size(), measured.size(), "every fixture tensor was compared");
  }
}
