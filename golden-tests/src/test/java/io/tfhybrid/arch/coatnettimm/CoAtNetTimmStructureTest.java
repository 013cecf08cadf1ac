package io.tfhybrid.arch.coatnettimm;

import static io.tfhybrid.arch.golden.FixtureJson.ints;
import static io.tfhybrid.arch.golden.FixtureJson.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every timm CoAtNet architecture and pretrained tag against the copied {@code variants.json}, and
 * every fixture's state_dict listing against the module's declared keys, in order (no TF).
 */
class CoAtNetTimmStructureTest {
  private static final JsonNode VARIANTS = GoldenCase.variantsJson(Arch.COATNET_TIMM);

  @Test
  void everyTagHasItsParameterCountEntriesClassesAndTransform() {
    List<String> tags = new ArrayList<>();
    VARIANTS.get("tags").fieldNames().forEachRemaining(tags::add);
    assertEquals(15, tags.size());
    for (String tag : tags) {
      JsonNode t = VARIANTS.get("tags").get(tag);
      Variant<?> v = Models.variant(tag);
      CoAtNetTimm m = (CoAtNetTimm) v.config().createModule();
      List<ParamSpec> sd = m.stateDictSpec();
      long floats = sd.stream().filter(p -> p.dtype() == DType.F32).mapToLong(ParamSpec::numel).sum();
      System.out.printf("%-42s params %,d entries %d floats %,d%n", tag, m.parameterCount(),
          sd.size(), floats);
      assertEquals(t.get("param_count").asLong(), m.parameterCount(), tag + " param_count");
      assertEquals(t.get("state_dict_entries").asInt(), sd.size(), tag + " entries");
      assertEquals(t.get("state_dict_floats").asLong(), floats, tag + " floats");
      assertEquals(t.get("num_classes").asInt(), m.numClasses(), tag);
      assertEquals(t.get("num_features").asInt(), m.featureDim(), tag);
      JsonNode p = t.get("preprocessing");
      Preprocessing pre = v.preprocessing();
      List<Integer> input = ints(p.get("input_size"));
      assertEquals(List.of(3, v.height(), v.width()), input, tag);
      assertEquals(List.of(pre.cropHeight(), pre.cropWidth()), input.subList(1, 3), tag);
      assertEquals(p.get("resize_short_side").asInt(), pre.resizeHeight(), tag);
      assertEquals(p.get("resize_short_side").asInt(), pre.resizeWidth(), tag);
      assertEquals(p.get("crop_mode").asText().toUpperCase(), pre.cropMode().name(), tag);
      assertEquals(p.get("interpolation").asText().toUpperCase(), pre.interpolation().name(), tag);
      assertEquals(floats(p.get("mean")), pre.mean(), tag);
      assertEquals(floats(p.get("std")), pre.std(), tag);
    }
  }

  @Test
  void everyArchitectureHasTimmsSwitchesAndBlocks() {
    List<String> names = new ArrayList<>();
    VARIANTS.get("architectures").fieldNames().forEachRemaining(names::add);
    assertEquals(names.stream().sorted().toList(),
        CoAtNetTimmVariants.architectureNames().stream().sorted().toList());
    for (String name : names) {
      JsonNode a = VARIANTS.get("architectures").get(name);
      CoAtNetTimmConfig c = (CoAtNetTimmConfig) Models.variant(name).config();
      assertEquals(ints(a.get("default_img_size")), List.of(c.height(), c.width()), name);
      JsonNode r = a.get("resolved_cfg");
      assertSwitches(name, r, c);
      Map<String, long[]> shapes = c.createModule().stateDictShapes();
      for (JsonNode b : a.get("blocks_at_default_size")) {
        assertBlock(name, b, c, shapes);
      }
    }
  }

  @Test
  void theWeightSignatureOfEveryArchitectureIsVariantsJsons() {
    VARIANTS.get("architectures").fields().forEachRemaining(e -> {
      String name = e.getKey();
      JsonNode w = e.getValue().get("weight_signature");
      Map<String, long[]> shapes = Models.variant(name).config().createModule().stateDictShapes();
      CoAtNetTimmDiagnosis.Signature s = CoAtNetTimmDiagnosis.signature(shapes).orElseThrow();
      assertEquals(ints(w.get("depths")), s.depths(), name);
      assertEquals(ints(w.get("embed_dim")), s.embedDim(), name);
      assertEquals(ints(w.get("stem_width")), s.stemWidth(), name);
      assertEquals(w.get("has_se_early").asBoolean(), s.seEarly(), name);
      assertEquals(w.get("has_conv3_bias").asBoolean(), s.outputBias(), name);
      assertEquals(w.get("has_transformer_shortcut_bias").asBoolean(), s.shortcutBias(), name);
      assertEquals(w.get("transformer_norm").asText(),
          s.norm() == CoAtNetTimmTransformerConfig.Norm.LAYER_NORM ? "layernorm" : "batchnorm",
          name);
      assertEquals(w.get("rel_pos").asText(),
          s.relPos() == CoAtNetTimmTransformerConfig.RelPos.TABLE ? "bias_table" : "mlp", name);
      if (!w.get("rel_pos_mlp_hidden").isNull()) {
        assertEquals(w.get("rel_pos_mlp_hidden").asInt(), s.relPosDim(), name);
      }
      assertEquals(w.get("layer_scale").asBoolean(), s.layerScale(), name);
      // The signature names the architecture back (rmlp_2 224 and 384 collide, spec §10.4).
      String found = CoAtNetTimmDiagnosis.architectureOf(s).orElseThrow().id();
      assertEquals(name.equals("coatnet_rmlp_2_rw_384") ? "coatnet_rmlp_2_rw_224" : name, found);
    });
    assertEquals("[[\"coatnet_rmlp_2_rw_224\",\"coatnet_rmlp_2_rw_384\"]]",
        VARIANTS.get("signature_collisions").toString());
  }

  /** timm's resolved config (variants.json / a fixture's config.json) equals ours. */
  static void assertSwitches(String what, JsonNode r, CoAtNetTimmConfig c) {
    assertEquals(ints(r.get("embed_dim")), c.embedDim(), what);
    assertEquals(ints(r.get("depths")), c.depths(), what);
    assertEquals(ints(r.get("stem_width")), c.stemWidth(), what);
    assertEquals("[\"C\",\"C\",\"T\",\"T\"]", r.get("block_type").toString(), what);
    JsonNode cv = r.get("conv");
    assertEquals(cv.get("stride_mode").asText(), c.conv().strideMode().timmName(), what);
    assertEquals(cv.get("pool_type").asText(), c.conv().poolType().timmName(), what);
    assertEquals("avg2", cv.get("downsample_pool_type").asText(), what);
    assertEquals(cv.get("pre_norm_act").asBoolean(), c.conv().preNormAct(), what);
    assertEquals(cv.get("output_bias").asBoolean(), c.conv().outputBias(), what);
    assertEquals(cv.get("attn_early").asBoolean(), c.conv().attnEarly(), what);
    assertEquals(cv.get("attn_act_layer").asText().toUpperCase(), c.conv().attnAct().name(), what);
    assertEquals(1e-5, cv.get("norm_eps").asDouble(), what);
    JsonNode t = r.get("transformer");
    assertEquals(t.get("pool_type").asText(), c.transformer().poolType().timmName(), what);
    assertEquals(t.get("shortcut_bias").asBoolean(), c.transformer().shortcutBias(), what);
    assertEquals(t.get("norm_layer").asText(), c.transformer().norm().timmName(), what);
    assertEquals(t.get("rel_pos_type").asText(), c.transformer().relPos().timmName(), what);
    assertEquals(t.get("rel_pos_dim").asInt(), c.transformer().relPosDim(), what);
    assertEquals(!t.get("init_values").isNull(), c.transformer().layerScale(), what);
    assertEquals(1e-6, t.get("norm_eps").asDouble(), what);
    assertEquals(32, t.get("dim_head").asInt(), what);
    assertTrue(t.get("head_first").asBoolean() && !t.get("expand_first").asBoolean(), what);
  }

  /** One per-block row: widths, SE width, heads, window, table/MLP shapes, shortcut kind. */
  static void assertBlock(String what, JsonNode b, CoAtNetTimmConfig c, Map<String, long[]> sd) {
    String m = b.get("module").asText();
    String at = what + " " + m;
    if (m.equals("stem")) {
      assertArrayEquals(longs(b.get("conv1")), sd.get("stem.conv1.weight"), at);
      assertArrayEquals(longs(b.get("conv2")), sd.get("stem.conv2.weight"), at);
      return;
    }
    int stage = Integer.parseInt(m.split("\\.")[1]);
    int block = Integer.parseInt(m.split("\\.")[3]);
    long in = b.get("in_chs").asLong();
    long out = b.get("out_chs").asLong();
    assertEquals(in, c.blockIn(stage, block), at);
    assertEquals(out, (long) c.embedDim().get(stage), at);
    String p = m + ".";
    boolean expand =
        b.has("shortcut")
            ? b.get("shortcut").asText().contains("expand")
            : b.get("stride").asInt() == 2 && in != out;
    assertEquals(expand, sd.containsKey(p + "shortcut.expand.weight"), at + " shortcut");
    if (b.get("type").asText().equals("MbConvBlock")) {
      long mid = b.get("mid_chs").asLong();
      long rd = b.get("se_rd").asLong();
      assertArrayEquals(new long[] {mid, in, 1, 1}, sd.get(p + "conv1_1x1.weight"), at);
      String se = b.get("se_position").asText().startsWith("se_early") ? "se_early" : "se";
      assertArrayEquals(new long[] {rd, mid, 1, 1}, sd.get(p + se + ".fc1.weight"), at);
      assertArrayEquals(new long[] {out, mid, 1, 1}, sd.get(p + "conv3_1x1.weight"), at);
      assertEquals(b.get("conv2_kxk_stride").asInt() == 2,
          b.get("stride").asInt() == 2 && c.conv().strideMode() == CoAtNetTimmConvConfig.StrideMode.DW,
          at);
      assertEquals(!b.get("down_pool").asText().equals("none"),
          b.get("stride").asInt() == 2 && c.conv().strideMode() == CoAtNetTimmConvConfig.StrideMode.POOL,
          at);
    } else {
      int heads = b.get("num_heads").asInt();
      assertEquals(in / 32, heads, at);
      assertEquals(ints(b.get("window")), List.of(c.windowHeight(stage), c.windowWidth(stage)), at);
      assertArrayEquals(new long[] {3 * in, in, 1, 1}, sd.get(p + "attn.qkv.weight"), at);
      assertArrayEquals(new long[] {out, in, 1, 1}, sd.get(p + "attn.proj.weight"), at);
      long hidden = b.get("mlp_hidden").asLong();
      assertArrayEquals(new long[] {hidden, out, 1, 1}, sd.get(p + "mlp.fc1.weight"), at);
      if (b.has("bias_table")) {
        assertArrayEquals(longs(b.get("bias_table")),
            sd.get(p + "attn.rel_pos.relative_position_bias_table"), at);
      } else {
        JsonNode mlp = b.get("rel_pos_mlp");
        assertArrayEquals(longs(mlp.get(0)), sd.get(p + "attn.rel_pos.mlp.fc1.weight"), at);
        assertArrayEquals(longs(mlp.get(1)), sd.get(p + "attn.rel_pos.mlp.fc2.weight"), at);
        int[] w = {c.windowHeight(stage), c.windowWidth(stage)};
        assertEquals(ints(b.get("rel_coords_log")), List.of(2 * w[0] - 1, 2 * w[1] - 1, 2), at);
      }
      assertEquals(b.get("layer_scale").asBoolean(), sd.containsKey(p + "ls1.gamma"), at);
    }
  }

  @Test
  void everyFixtureDeclaresExactlyItsStateDictInOrder() {
    for (GoldenCase gc : GoldenCase.all(Arch.COATNET_TIMM).toList()) {
      JsonNode meta = gc.metadata();
      CoAtNetTimmConfig c = (CoAtNetTimmConfig) gc.modelConfig();
      String name = gc.name();
      assertSwitches(name, meta.get("resolved_cfg"), c);
      CoAtNetTimm m = c.createModule();
      List<String> expectedKeys = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = meta.get("state_dict").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        expectedKeys.add(e.getKey());
        long[] ours = m.stateDictShapes().get(e.getKey());
        assertNotNull(ours, name + ": we do not declare '" + e.getKey() + "'");
        assertArrayEquals(longs(e.getValue()), ours, name + " " + e.getKey() + " " + Checks.shape(ours));
      }
      assertEquals(expectedKeys, List.copyOf(m.stateDictShapes().keySet()), name + " key order");
      assertEquals(meta.get("param_count").asLong(), m.parameterCount(), name);
      for (JsonNode b : meta.get("blocks")) {
        assertBlock(name, b, c, m.stateDictShapes());
      }
    }
  }

  private static List<Float> floats(JsonNode n) {
    List<Float> out = new ArrayList<>();
    n.forEach(x -> out.add(x.floatValue()));
    return out;
  }
}
