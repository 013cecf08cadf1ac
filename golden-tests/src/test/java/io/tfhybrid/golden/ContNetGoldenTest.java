package io.tfhybrid.golden;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.contnet.ContNet;
import io.tfhybrid.arch.contnet.ContNetConfig;
import io.tfhybrid.arch.contnet.ContNetFlags;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ConTNet fixture (2-, 3- and 4-stage configs, all four flags varied), from weights.pth and
 * from weights.safetensors: logits and every captured feature within Tolerance.FP32.
 */
@Tag("golden")
class ContNetGoldenTest {

  static Stream<Arguments> cases() {
    return GoldenCase.all(Arch.CONTNET)
        .flatMap(c -> Arrays.stream(Format.values()).map(f -> Arguments.of(c, f)));
  }

  /**
   * The case's constructor arguments: {@code hyper_parameters} and {@code flags} of config.json.
   */
  static ContNetConfig config(JsonNode cfg) {
    JsonNode hp = cfg.get("hyper_parameters");
    JsonNode fl = cfg.get("flags");
    ContNetFlags flags =
        new ContNetFlags(
            fl.get("use_avgdown").asBoolean(),
            fl.get("relative").asBoolean(),
            fl.get("qkv_bias").asBoolean(),
            fl.get("pre_norm").asBoolean());
    return new ContNetConfig(
        hp.get("inplanes").asInt(),
        ints(hp.get("layers")),
        ints(hp.get("mlp_dim")),
        ints(hp.get("head_num")),
        hp.get("num_classes").asInt(),
        flags);
  }

  static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(c, format, new ContNet(config(c.config())));
  }
}
