package io.tfhybrid.arch.conv2former;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.golden.FixtureJson;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Key lists, torch shapes and parameter counts without TensorFlow. */
class Conv2FormerStructureTest {
  static Stream<Variant<Conv2FormerConfig>> variants() {
    return Conv2FormerVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantMatchesVariantsJson(Variant<Conv2FormerConfig> v) throws IOException {
    JsonNode all = GoldenCase.variantsJson(Arch.CONV2FORMER).get("variants");
    String name = v.id().substring(0, v.id().lastIndexOf("_224"));
    JsonNode ref = null;
    for (JsonNode n : all) {
      if (n.get("name").asText().equals(name)) {
        ref = n;
      }
    }
    assertTrue(ref != null, "variants.json has no " + name);
    Conv2FormerConfig c = v.config();
    assertEquals(ref.get("kernel_size").asInt(), c.kernelSize());
    assertEquals(FixtureJson.ints(ref.get("dims")), c.dims());
    assertEquals(FixtureJson.ints(ref.get("depths")), c.depths());
    assertEquals(FixtureJson.ints(ref.get("mlp_ratios")), c.mlpRatios());
    Conv2Former m = new Conv2Former(c);
    assertEquals(ref.get("param_count").asLong(), m.parameterCount(), v.id() + " parameter count");
    assertEquals(ref.get("state_dict_tensors").asInt(), m.stateDictSpec().size(), v.id() + " state_dict size");
    long buffers = m.stateDictSpec().stream().filter(s -> s.kind() == ParamSpec.Kind.BUFFER).count();
    assertEquals(ref.get("state_dict_buffers").asLong(), buffers);
    assertEquals(224, v.height());
    assertEquals(v, Models.variant(v.id()));
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.CONV2FORMER);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fixtureConfigHasExactKeysShapesAndCount(GoldenCase c) {
    JsonNode cfg = c.metadata();
    Conv2Former m = new Conv2Former(Conv2FormerConfig.fromFixture(cfg));
    Map<String, String> expected = GoldenCase.printable(c.stateDictShapes());
    Map<String, String> actual = GoldenCase.printable(m.stateDictShapes());
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "key order");
    assertEquals(expected, actual, "torch shapes");
    assertEquals(cfg.get("param_count").asLong(), m.parameterCount());
  }

  @Test
  void inferRecoversEveryVariantFromItsShapes() {
    for (Variant<Conv2FormerConfig> v : Conv2FormerVariants.ALL) {
      Map<String, long[]> shapes = new Conv2Former(v.config()).stateDictShapes();
      assertEquals(v.config(), Conv2FormerVariants.detect(shapes).orElseThrow().config(), v.id());
    }
  }
}
