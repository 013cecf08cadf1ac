package io.tfhybrid.arch.transcnn;

import static io.tfhybrid.arch.golden.FixtureJson.intArray;
import static io.tfhybrid.arch.golden.FixtureJson.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.nn.ParamSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key lists, torch shapes, parameter counts and stage geometry of every registry variant and every
 * golden case, against the copied {@code variants.json} and {@code config.json} files. No
 * TensorFlow session.
 */
class HatNetStructureTest {

  static Stream<Variant<HatNetConfig>> variants() {
    return HatNetVariants.ALL.stream();
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.TRANSCNN);
  }

  private static JsonNode variantJson(Variant<HatNetConfig> v) {
    String reference = HatNetVariants.REFERENCE_NAMES.entrySet().stream()
        .filter(e -> e.getValue() == v).map(Map.Entry::getKey).findFirst().orElseThrow();
    JsonNode ref = GoldenCase.variantsJson(Arch.TRANSCNN).get("variants").get(reference);
    assertTrue(ref != null, "variants.json has no " + reference);
    return ref;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantMatchesVariantsJson(Variant<HatNetConfig> v) {
    JsonNode ref = variantJson(v);
    HatNetConfig c = v.config();
    JsonNode hp = ref.get("hyper_parameters");
    assertArrayEquals(intArray(hp.get("dims")), c.dims(), "dims");
    assertEquals(hp.get("head_dim").asInt(), c.headDim(), "head_dim");
    assertArrayEquals(intArray(hp.get("expansions")), c.expansions(), "expansions");
    assertArrayEquals(intArray(hp.get("grid_sizes")), c.gridSizes(), "grid_sizes");
    assertArrayEquals(intArray(hp.get("ds_ratios")), c.dsRatios(), "ds_ratios");
    assertArrayEquals(intArray(hp.get("depths")), c.depths(), "depths");
    assertArrayEquals(intArray(hp.get("kernel_sizes")), c.kernelSizes(), "kernel_sizes");
    assertEquals(ref.get("num_classes").asInt(), c.numClasses());
    assertEquals(ref.get("default_resolution").get(0).asInt(), v.height());
    assertEquals(ref.get("default_resolution").get(1).asInt(), v.width());
    // The same hyper-parameters read through the reference names build the same key list.
    HatNetConfig fromJson = HatNetConfig.fromReference(hp, 1000);
    assertEquals(GoldenCase.printable(fromJson.createModule().stateDictShapes()),
        GoldenCase.printable(c.createModule().stateDictShapes()));

    HatNet m = c.createModule();
    List<ParamSpec> spec = m.stateDictSpec();
    assertEquals(ref.get("param_count").asLong(), m.parameterCount(), "param_count");
    assertEquals(ref.get("state_dict_entries").asInt(), spec.size(), "state_dict_entries");
    assertTrue(spec.stream().allMatch(p -> p.kind() == ParamSpec.Kind.PARAMETER),
        "HAT-Net has no buffers (GroupNorm only)");
    assertEquals(ref.get("state_dict_buffer_elements").asLong(), 0L);
    long projNorm = spec.stream().filter(p -> p.key().contains(".attn.proj_norm."))
        .mapToLong(ParamSpec::numel).sum();
    assertEquals(ref.get("unused_param_elements_attn_proj_norm").asLong(), projNorm,
        "proj_norm elements (declared, loaded, never used)");
    assertEquals(m.featureDim(), c.dims()[3]);
    assertEquals(1000, m.numClasses());
    assertEquals(Arch.TRANSCNN, m.arch());

    assertGeometry(c, 1, v.height(), v.width(), ref.get("shapes_batch1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void legalSidesMatchVariantsJson(Variant<HatNetConfig> v) {
    JsonNode common = GoldenCase.variantsJson(Arch.TRANSCNN).get("common");
    List<Long> ours = new ArrayList<>();
    for (long n = 1; n <= 1024; n++) {
      if (HatNetGeometry.isLegalSide(v.config(), n)) {
        ours.add(n);
      }
    }
    List<Long> ref = new ArrayList<>();
    common.get("valid_square_inputs_upto_1024").forEach(n -> ref.add(n.asLong()));
    assertEquals(ref, ours);
    assertEquals("221-224, 445-448, 669-672, 893-896, ...",
        HatNetGeometry.describeLegalSides(v.config()));
  }

  @Test
  void everyVariantOfVariantsJsonIsRegistered() {
    JsonNode all = GoldenCase.variantsJson(Arch.TRANSCNN).get("variants");
    List<String> names = new ArrayList<>();
    all.fieldNames().forEachRemaining(names::add);
    assertEquals(names, List.copyOf(HatNetVariants.REFERENCE_NAMES.keySet()));
    assertEquals(List.copyOf(HatNetVariants.ALL), Models.of(Arch.TRANSCNN));
    for (Variant<HatNetConfig> v : HatNetVariants.ALL) {
      assertTrue(v.id().matches("transcnn_(tiny|small|medium|large)_224"), v.id());
      assertEquals(Preprocessing.resizeCrop(Preprocessing.Interpolation.BICUBIC, 256, 224),
          v.preprocessing());
    }
  }

  @Test
  void familyIsFoundUnderBothNames() {
    assertSame(Arch.TRANSCNN, Arch.of("transcnn"));
    assertSame(Arch.TRANSCNN, Arch.of("HAT-Net"));
    assertSame(Arch.TRANSCNN, Arch.of("hatnet"));
    assertSame(HatNetVariants.TRANSCNN_TINY_224, Models.variant("transcnn_tiny_224"));
    assertSame(HatNetVariants.TRANSCNN_TINY_224, Models.variant("hatnet_tiny_224"));
    assertSame(HatNetVariants.TRANSCNN_SMALL_224, Models.variant("HAT-Net_small_224"));
    assertSame(HatNetVariants.TRANSCNN_MEDIUM_224, Models.variant("hat_net_medium_224"));
    assertSame(HatNetVariants.TRANSCNN_LARGE_224, HatNetVariants.byReferenceName("HAT_Net_large"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCaseConfigBuildsTheFixtureStateDict(GoldenCase gc) {
    JsonNode cj = gc.metadata();
    HatNetConfig c = HatNetConfig.fromFixture(cj);
    HatNet m = c.createModule();
    // Keys, torch shapes and order exactly as the fixture's state_dict listing.
    Map<String, String> expected = GoldenCase.printable(gc.stateDictShapes());
    assertEquals(List.copyOf(expected.entrySet()),
        List.copyOf(GoldenCase.printable(m.stateDictShapes()).entrySet()));
    assertEquals(cj.get("param_count").asLong(), m.parameterCount(), "param_count");
    long[] in = longs(cj.get("input").get("shape"));
    m.checkInputSize(in[2], in[3]); // the case's input size is legal
    assertGeometry(c, (int) in[0], in[2], in[3], cj.get("expected_shapes"));
  }

  /** Per-stage map sizes, heads, windows and pooled sizes as the reference reports them. */
  private static void assertGeometry(HatNetConfig c, int batch, long height, long width,
      JsonNode shapes) {
    long[] hs = HatNetGeometry.stageSides(height);
    long[] ws = HatNetGeometry.stageSides(width);
    assertArrayEquals(new long[] {batch, HatNetConfig.STEM_WIDTH, (height + 1) / 2,
        (width + 1) / 2}, longs(shapes.get("patch_embed.0(conv 3->16)")));
    for (int s = 0; s < 4; s++) {
      HatNetStageConfig st = c.stage(s);
      JsonNode g = shapes.get("stage" + (s + 1));
      String where = "stage" + (s + 1);
      assertArrayEquals(new long[] {batch, st.dim(), hs[s], ws[s]},
          longs(g.get("feature_map_NCHW")), where);
      assertEquals(c.numHeads(s), g.get("heads").asInt(), where);
      assertEquals(c.headDim(), g.get("head_dim").asInt(), where);
      assertEquals(st.gridSize(), g.get("grid_size").asInt(), where);
      assertEquals(st.dsRatio(), g.get("ds_ratio").asInt(), where);
      assertEquals(st.hiddenDim(), g.get("irb_hidden").asInt(), where);
      assertEquals(st.kernelSize(), g.get("dw_kernel").asInt(), where);
      assertEquals(st.depth(), g.get("depth").asInt(), where);
      assertEquals(hs[s] * ws[s], g.get("global_queries").asLong(), where);
      if (st.hierarchical()) {
        int gs = st.gridSize();
        int r = st.dsRatio();
        assertArrayEquals(new long[] {hs[s] / gs, ws[s] / gs}, longs(g.get("local_windows_hw")));
        assertEquals((long) gs * gs, g.get("local_tokens_per_window").asLong(), where);
        assertArrayEquals(new long[] {hs[s] / r, ws[s] / r}, longs(g.get("pooled_kv_hw")));
        assertEquals((hs[s] / r) * (ws[s] / r), g.get("global_kv_tokens").asLong(), where);
      } else {
        assertTrue(g.get("local_windows_hw") == null, where);
        assertEquals(hs[s] * ws[s], g.get("global_kv_tokens").asLong(), where);
      }
    }
    assertArrayEquals(new long[] {batch, c.featureDim()}, longs(shapes.get("pooled")));
    assertArrayEquals(new long[] {batch, c.numClasses()}, longs(shapes.get("logits")));
  }

  @Test
  void stateDictOrderFollowsTheReference() {
    List<String> keys = HatNetVariants.TINY.createModule().stateDictSpec().stream()
        .map(ParamSpec::key).toList();
    // Registration order: patch_embed, blocks (all stages), ds2, ds3, ds4, classifier.
    assertEquals("patch_embed.0.weight", keys.get(0));
    assertTrue(keys.indexOf("blocks.3.2.conv.conv3.1.bias") < keys.indexOf("ds2.conv.weight"));
    assertEquals(List.of("classifier.1.weight", "classifier.1.bias"),
        keys.subList(keys.size() - 2, keys.size()));
    List<String> attn = keys.stream().filter(k -> k.startsWith("blocks.0.0.attn.")).toList();
    assertEquals(List.of("norm.weight", "norm.bias", "qkv.weight", "qkv.bias", "proj.weight",
        "proj.bias", "proj_norm.weight", "proj_norm.bias", "grid_norm.weight", "grid_norm.bias",
        "ds_norm.weight", "ds_norm.bias", "q.weight", "q.bias", "kv.weight", "kv.bias"),
        attn.stream().map(k -> k.substring("blocks.0.0.attn.".length())).toList());
    List<String> last = keys.stream().filter(k -> k.startsWith("blocks.3.0.attn.")).toList();
    assertEquals(8, last.size(), "grid size 1: norm, qkv, proj, proj_norm only");
  }

  @Test
  void v1KeyGeneratorReproducesTheLegacyParameterCounts() {
    // Guards the synthetic v1 key lists the diagnosis tests use.
    JsonNode legacy = GoldenCase.variantsJson(Arch.TRANSCNN).get("legacy_transcnn_v1_not_supported")
        .get("variants");
    for (Iterator<String> it = legacy.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      assertEquals(legacy.get(name).get("param_count").asLong(),
          HatNetFixtures.v1ParameterCount(HatNetFixtures.transCnnV1Shapes(name)), name);
    }
  }
}
