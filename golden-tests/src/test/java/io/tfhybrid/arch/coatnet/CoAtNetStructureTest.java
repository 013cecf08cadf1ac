package io.tfhybrid.arch.coatnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.ParamSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key lists, torch shapes, dtypes and parameter counts of every registry variant and every golden
 * case's config, without TensorFlow.
 */
class CoAtNetStructureTest {

  static Stream<Variant<CoAtNetConfig>> variants() {
    return CoAtNetVariants.ALL.stream();
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.COATNET);
  }

  /** variants.json's entry for a registry id ({@code coatnet_0_224} → {@code coatnet_0}). */
  static JsonNode ref(Variant<CoAtNetConfig> v) {
    String name = v.id().substring(0, v.id().lastIndexOf('_'));
    JsonNode ref = GoldenCase.variantsJson(Arch.COATNET).get("variants").get(name);
    assertNotNull(ref, "variants.json has no '" + name + "' for registry variant " + v.id());
    return ref;
  }

  @Test
  void registryHoldsExactlyTheVariantsOfVariantsJson() {
    List<String> json = new ArrayList<>();
    GoldenCase.variantsJson(Arch.COATNET).get("variants").fieldNames()
        .forEachRemaining(n -> json.add(n + "_224"));
    assertEquals(json, CoAtNetVariants.ALL.stream().map(Variant::id).toList());
    assertEquals(CoAtNetVariants.ALL, Models.of(Arch.COATNET), "Models registry");
    assertEquals(CoAtNetVariants.COATNET_2_224, Models.variant("coatnet_2_224"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantConfigIsTheReferenceFactory(Variant<CoAtNetConfig> v) {
    JsonNode ref = ref(v);
    assertEquals(CoAtNetConfig.fromReference(ref), v.config(), v.id() + " constructor arguments");
    assertEquals(224, v.height());
    assertEquals(224, v.width());
    assertEquals(Arch.COATNET, v.arch());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantStateDictMatchesVariantsJson(Variant<CoAtNetConfig> v) {
    JsonNode ref = ref(v);
    CoAtNet m = v.config().createModule();
    List<ParamSpec> spec = m.stateDictSpec();

    // Keys, order and torch shapes implied by variants.json's per-block facts (spec §7).
    List<CoAtNetFixtures.Entry> expected =
        CoAtNetFixtures.expectedStateDict(ref.get("stages"), ref.get("num_classes").asLong());
    assertEquals(keysAndShapes(expected), GoldenCase.printable(m.stateDictShapes()),
        v.id() + " state_dict");
    assertKindsAndDtypes(expected, spec, v.id());

    assertEquals(ref.get("param_count").asLong(), m.parameterCount(), v.id() + " param_count");
    assertEquals(ref.get("state_dict_entries").asInt(), spec.size(), v.id() + " entries");
    long floats =
        spec.stream().filter(s -> s.dtype() == DType.F32).mapToLong(ParamSpec::numel).sum();
    assertEquals(ref.get("state_dict_floats").asLong(), floats, v.id() + " state_dict_floats");
    long index = spec.stream().filter(s -> s.key().endsWith(".relative_index"))
        .mapToLong(ParamSpec::numel).sum();
    assertEquals(ref.get("relative_index_entries").asLong(), index, v.id() + " index entries");
    assertEquals(ref.get("output_shapes").get("logits").get(1).asInt(), m.numClasses());
    assertEquals(ref.get("output_shapes").get("s4").get(1).asInt(), m.featureDim());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCaseConfigHasTheFixtureStateDict(GoldenCase c) {
    String name = c.toString();
    JsonNode cfg = c.metadata();
    CoAtNet m = CoAtNetConfig.fromFixture(cfg).createModule();
    List<ParamSpec> spec = m.stateDictSpec();
    // Exactly config.json's state_dict: same keys, same order, same torch shapes.
    assertEquals(GoldenCase.printable(c.stateDictShapes()),
        GoldenCase.printable(m.stateDictShapes()), name);
    assertEquals(cfg.get("param_count").asLong(), m.parameterCount(), name + " param_count");
    // The spec-pattern generator used for the variants agrees with the fixture too.
    List<CoAtNetFixtures.Entry> expected = CoAtNetFixtures.expectedStateDict(cfg.get("stages"),
        cfg.get("constructor").get("num_classes").asLong());
    assertEquals(keysAndShapes(expected), GoldenCase.printable(m.stateDictShapes()),
        name + " (spec patterns)");
    assertKindsAndDtypes(expected, spec, name);
  }

  @Test
  void relativeIndexIsTheSpecsWorkedExample() {
    // Spec §5.4: h = w = 2 → rows [4,3,1,0] [5,4,2,1] [7,6,4,3] [8,7,5,4].
    assertArrayEquals(new long[] {4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4},
        relativeIndex(new CoAtNetAttention(8, 8, 2, 2)));
    // h = 2, w = 3: first two rows [7,6,5,2,1,0], [8,7,6,3,2,1].
    long[] idx = relativeIndex(new CoAtNetAttention(8, 8, 2, 3));
    assertEquals(36, idx.length);
    assertArrayEquals(new long[] {7, 6, 5, 2, 1, 0, 8, 7, 6, 3, 2, 1},
        java.util.Arrays.copyOf(idx, 12));
  }

  @Test
  void relativeIndexIsAComputedInt64BufferAndTheBiasADerivedVariable() {
    CoAtNetAttention a = new CoAtNetAttention(16, 24, 4, 4);
    Map<String, ParamSpec> byKey = new LinkedHashMap<>();
    a.variableSpec().forEach(s -> byKey.put(s.key(), s));
    ParamSpec index = byKey.get("relative_index");
    assertEquals(ParamSpec.Kind.BUFFER, index.kind());
    assertEquals(DType.I64, index.dtype());
    assertArrayEquals(new long[] {256, 1}, index.torchShape());
    assertNotNull(index.expected(), "relative_index must be compared with the checkpoint on load");
    ParamSpec bias = byKey.get(CoAtNetAttention.BIAS);
    assertEquals(ParamSpec.Kind.DERIVED, bias.kind());
    assertArrayEquals(new long[] {8, 16, 16}, bias.tfShape());
    assertEquals(List.of("relative_bias_table"), bias.derivation().sources());
    assertTrue(a.stateDictSpec().stream().noneMatch(s -> s.kind() == ParamSpec.Kind.DERIVED));
    // The gather: bias[e, a, b] = table[index[a*N + b], e].
    float[] table = new float[49 * 8];
    for (int i = 0; i < table.length; i++) {
      table[i] = i;
    }
    float[] g = bias.derivation().compute().apply(
        List.of(io.tfhybrid.nn.HostTensor.ofFloats(new long[] {49, 8}, table)));
    long[] idx = index.expected().toLongArray();
    for (int e = 0; e < 8; e++) {
      for (int ab = 0; ab < 256; ab++) {
        assertEquals(table[(int) idx[ab] * 8 + e], g[e * 256 + ab]);
      }
    }
  }

  private static long[] relativeIndex(CoAtNetAttention a) {
    return a.stateDictSpec().stream().filter(s -> s.key().equals("relative_index")).findFirst()
        .orElseThrow().expected().toLongArray();
  }

  private static Map<String, String> keysAndShapes(List<CoAtNetFixtures.Entry> entries) {
    Map<String, String> m = new LinkedHashMap<>();
    entries.forEach(e -> m.put(e.key(), io.tfhybrid.nn.Checks.shape(e.shape())));
    return m;
  }

  private static void assertKindsAndDtypes(List<CoAtNetFixtures.Entry> expected,
      List<ParamSpec> spec, String what) {
    for (int i = 0; i < expected.size(); i++) {
      CoAtNetFixtures.Entry e = expected.get(i);
      ParamSpec s = spec.get(i);
      assertEquals(e.parameter(), s.kind() == ParamSpec.Kind.PARAMETER,
          what + " kind of " + e.key());
      assertEquals(e.dtype(), s.dtype(), what + " dtype of " + e.key());
    }
  }
}
