package io.tfhybrid.arch.conv2former;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Key lists, torch shapes and parameter counts without TensorFlow. */
class Conv2FormerStructureTest {
  static final Path GOLDEN = Path.of("../golden-tests/src/test/resources/golden/conv2former");
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(Path p) throws IOException {
    return JSON.readTree(Files.readString(p));
  }

  static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  static Conv2FormerConfig fromKwargs(JsonNode kw) {
    return new Conv2FormerConfig(kw.get("kernel_size").asInt(), ints(kw.get("dims")),
        ints(kw.get("depths")), ints(kw.get("mlp_ratios")), kw.get("num_classes").asInt());
  }

  static Map<String, String> shapes(List<ParamSpec> specs) {
    Map<String, String> m = new LinkedHashMap<>();
    specs.forEach(s -> m.put(s.key(), Checks.shape(s.torchShape())));
    return m;
  }

  static Map<String, String> shapes(JsonNode stateDict) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = stateDict.fields(); it.hasNext(); ) {
      var e = it.next();
      long[] s = new long[e.getValue().size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = e.getValue().get(i).asLong();
      }
      m.put(e.getKey(), Checks.shape(s));
    }
    return m;
  }

  static Stream<Variant<Conv2FormerConfig>> variants() {
    return Conv2FormerVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantMatchesVariantsJson(Variant<Conv2FormerConfig> v) throws IOException {
    JsonNode all = json(GOLDEN.resolve("variants.json")).get("variants");
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
    assertEquals(ints(ref.get("dims")), c.dims());
    assertEquals(ints(ref.get("depths")), c.depths());
    assertEquals(ints(ref.get("mlp_ratios")), c.mlpRatios());
    Conv2Former m = new Conv2Former(c);
    assertEquals(ref.get("param_count").asLong(), m.parameterCount(), v.id() + " parameter count");
    assertEquals(ref.get("state_dict_tensors").asInt(), m.stateDictSpec().size(), v.id() + " state_dict size");
    long buffers = m.stateDictSpec().stream().filter(s -> s.kind() == ParamSpec.Kind.BUFFER).count();
    assertEquals(ref.get("state_dict_buffers").asLong(), buffers);
    assertEquals(224, v.height());
    assertEquals(v, Models.variant(v.id()));
  }

  static Stream<Path> cases() throws IOException {
    return Files.list(GOLDEN).filter(Files::isDirectory).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fixtureConfigHasExactKeysShapesAndCount(Path dir) throws IOException {
    JsonNode cfg = json(dir.resolve("config.json"));
    Conv2Former m = new Conv2Former(fromKwargs(cfg.get("model_kwargs")));
    Map<String, String> expected = shapes(cfg.get("state_dict"));
    Map<String, String> actual = shapes(m.stateDictSpec());
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "key order");
    assertEquals(expected, actual, "torch shapes");
    assertEquals(cfg.get("param_count").asLong(), m.parameterCount());
  }

  @Test
  void inferRecoversEveryVariantFromItsShapes() {
    for (Variant<Conv2FormerConfig> v : Conv2FormerVariants.ALL) {
      Map<String, long[]> shapes = new LinkedHashMap<>();
      new Conv2Former(v.config()).stateDictSpec().forEach(s -> shapes.put(s.key(), s.torchShape()));
      assertEquals(v.config(), Conv2FormerVariants.infer(shapes).orElseThrow().config(), v.id());
    }
  }
}
