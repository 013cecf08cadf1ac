package io.tfhybrid.golden;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.conv2former.Conv2Former;
import io.tfhybrid.arch.conv2former.Conv2FormerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Conv2Former fixture, from weights.pth and from weights.safetensors. */
@Tag("golden")
class Conv2FormerGoldenTest {

  static Stream<Arguments> cases() {
    return GoldenCase.all(Arch.CONV2FORMER)
        .flatMap(c -> Arrays.stream(Format.values()).map(f -> Arguments.of(c, f)));
  }

  static Conv2FormerConfig config(JsonNode cfg) {
    JsonNode kw = cfg.get("model_kwargs");
    return new Conv2FormerConfig(kw.get("kernel_size").asInt(), ints(kw.get("dims")),
        ints(kw.get("depths")), ints(kw.get("mlp_ratios")), kw.get("num_classes").asInt());
  }

  static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(c, format, new Conv2Former(config(c.config())));
  }
}
