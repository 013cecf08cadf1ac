package io.tfhybrid.arch.cvt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key lists, torch shapes and parameter counts of every registry variant and every golden case,
 * against the project's copies of variants.json and the cases' config.json (no TF session).
 */
class CvtStructureTest {
  static Stream<Variant<CvtConfig>> variants() {
    return CvtVariants.ALL.stream();
  }

  static Stream<GoldenCase> cases() {
    List<GoldenCase> cases = GoldenCase.all(Arch.CVT).toList();
    assertEquals(3, cases.size(), "golden cases under " + GoldenCase.root());
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantMatchesVariantsJson(Variant<CvtConfig> v) throws IOException {
    JsonNode all = GoldenCase.variantsJson(Arch.CVT);
    JsonNode e = all.get("variants").get(v.id().replace('_', '-'));
    assertTrue(e != null, v.id() + " is not in variants.json");
    // The registry config is exactly what the official yaml spec describes.
    assertEquals(CvtConfig.fromReference(e.get("spec"), e.get("num_classes").asInt(), "QuickGELU"),
        v.config());

    Cvt m = v.config().createModule();
    List<ParamSpec> sd = m.stateDictSpec();
    assertEquals(e.get("param_count").asLong(), m.parameterCount(), v.id() + " parameter count");
    assertEquals(e.get("state_dict_entries").asInt(), sd.size(), v.id() + " state_dict entries");
    long bufferElements = sd.stream().filter(p -> p.kind() == ParamSpec.Kind.BUFFER)
        .mapToLong(ParamSpec::numel).sum();
    assertEquals(e.get("state_dict_buffer_elements").asLong(), bufferElements,
        v.id() + " buffer elements");

    // Spec §3 key order: per stage cls_token first, then patch_embed, then blocks; norm, head last.
    assertEquals("stage0.patch_embed.proj.weight", sd.get(0).key());
    assertEquals(3L, sd.get(0).torchShape()[1]);
    assertEquals(List.of("norm.weight", "norm.bias", "head.weight", "head.bias"),
        sd.subList(sd.size() - 4, sd.size()).stream().map(ParamSpec::key).toList());
    int cls = indexOf(sd, "stage2.cls_token");
    assertEquals("stage2.patch_embed.proj.weight", sd.get(cls + 1).key());
    assertTrue(sd.stream().noneMatch(p -> p.key().matches("stage[01]\\.cls_token")));
    assertTrue(sd.stream().filter(p -> p.key().endsWith("num_batches_tracked"))
        .allMatch(p -> p.dtype() == DType.I64 && p.torchShape().length == 0));

    // Default resolution and evaluation transform.
    assertEquals(e.get("default_resolution").get(0).asInt(), v.height());
    assertEquals(e.get("default_resolution").get(1).asInt(), v.width());
    Preprocessing pre = v.preprocessing();
    assertEquals(Preprocessing.Interpolation.BICUBIC, pre.interpolation());
    assertTrue(all.get("common").get("interpolation").asText().startsWith("bicubic"));
    assertEquals(floats(all.get("common").get("input_mean")), pre.mean());
    assertEquals(floats(all.get("common").get("input_std")), pre.std());
    String text = e.get("test_preprocess").asText();
    if (v.height() == 224) {
      assertTrue(text.contains("256") && text.contains("CenterCrop 224"), text);
      assertEquals(Preprocessing.resizeCrop(Preprocessing.Interpolation.BICUBIC, 256, 224), pre);
    } else {
      assertTrue(text.contains("no crop"), text);
      assertEquals(Preprocessing.resizeOnly(Preprocessing.Interpolation.BICUBIC, 384), pre);
    }
    assertEquals(GeluKind.QUICK, v.config().mlpActivation());
  }

  @Test
  void registryHasEveryOfficialVariant() throws IOException {
    JsonNode all = GoldenCase.variantsJson(Arch.CVT);
    List<String> json = new ArrayList<>();
    all.get("variants").fieldNames().forEachRemaining(n -> json.add(n.replace('-', '_')));
    assertEquals(json, CvtVariants.ALL.stream().map(Variant::id).toList());
    for (Variant<CvtConfig> v : CvtVariants.ALL) {
      assertEquals(v, Models.variant(v.id()));
      assertEquals(Arch.CVT, v.arch());
    }
    assertEquals(CvtVariants.ALL, Models.of(Arch.CVT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCaseConfigMatchesItsStateDict(GoldenCase gc) {
    JsonNode c = gc.metadata();
    assertEquals(CvtConfig.IN_CHANS, c.get("build").get("in_chans").asInt());
    Cvt m = CvtConfig.fromFixture(c).createModule();
    List<String> expected = new ArrayList<>();
    gc.stateDictShapes().forEach((k, s) -> expected.add(k + " " + Checks.shape(s)));
    List<String> ours = m.stateDictSpec().stream()
        .map(p -> p.key() + " " + Checks.shape(p.torchShape())).toList();
    assertEquals(expected, ours, gc + ": keys, shapes and order");
    assertEquals(c.get("param_count").asLong(), m.parameterCount(), gc + " params");
  }

  @Test
  void parameterCountFollowsTheSpecFormula() {
    // Spec §1: block (4 + 2r)C² + (42 + r)C with q/k/v bias; stage Cin·C·k² + C + 2C [+ C] + blocks.
    for (CvtConfig cfg : List.of(CvtVariants.CVT_13, CvtVariants.CVT_21, CvtVariants.CVT_W24)) {
      long n = 0;
      long in = 3;
      for (CvtStageConfig s : cfg.stages()) {
        long c = s.dimEmbed();
        long r = (long) s.mlpRatio();
        n += in * c * s.patchSize() * s.patchSize() + 3 * c + (s.clsToken() ? c : 0)
            + s.depth() * ((4 + 2 * r) * c * c + (42 + r) * c);
        in = c;
      }
      n += 2 * in + in * cfg.numClasses() + cfg.numClasses();
      assertEquals(n, cfg.createModule().parameterCount());
    }
  }

  @Test
  void configValidatesItsInvariants() {
    CvtStageConfig s = CvtVariants.CVT_13.stages().get(0);
    assertMessage(() -> s.withWidth(64, 5), "dimEmbed (64) must be divisible by numHeads (5)");
    assertMessage(() -> new CvtStageConfig(7, 4, 2, 64, 1, 1, 4.0, true, false, ProjMethod.DW_BN,
        3, 1, 2, 1, 2), "the q projection must keep the token grid");
    assertMessage(() -> ProjMethod.fromReference("avg"), "QKV_PROJ_METHOD 'avg' is not supported");
    assertMessage(() -> new CvtConfig(List.of(), 10), "at least one stage");
    assertEquals(10, CvtVariants.CVT_13.withNumClasses(10).numClasses());
    assertEquals(GeluKind.ERF,
        CvtVariants.CVT_13.withMlpActivation(GeluKind.ERF).mlpActivation());
  }

  static void assertMessage(Runnable r, String part) {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  private static int indexOf(List<ParamSpec> sd, String key) {
    for (int i = 0; i < sd.size(); i++) {
      if (sd.get(i).key().equals(key)) {
        return i;
      }
    }
    throw new AssertionError("no key " + key);
  }

  private static List<Float> floats(JsonNode arr) {
    List<Float> out = new ArrayList<>();
    arr.forEach(n -> out.add((float) n.asDouble()));
    return out;
  }
}
