package io.tfhybrid.arch.cvt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** diagnose(): official CvT-13/21/W24 shapes, class counts, Hugging Face names (shapes only). */
class CvtDiagnosisTest {

  @Test
  void namesTheOfficialVariantTheShapesBelongTo() {
    Cvt cvt13 = CvtVariants.CVT_13.createModule();
    String h21 =
        String.join("\n", cvt13.diagnose(CvtVariants.CVT_21.createModule().stateDictShapes()));
    assertTrue(h21.contains("the checkpoint looks like CvT-21 (variant 'cvt_21_224' or"
        + " 'cvt_21_384'"), h21);
    assertTrue(h21.contains("depths [1, 4, 16]"), h21);
    String w24 =
        String.join("\n", cvt13.diagnose(CvtVariants.CVT_W24.createModule().stateDictShapes()));
    assertTrue(w24.contains("looks like CvT-W24 (variant 'cvt_w24_384')"), w24);
    assertTrue(w24.contains("widths [192, 768, 1024]"), w24);
    String h13 = String.join("\n", CvtVariants.CVT_W24.createModule()
        .diagnose(CvtVariants.CVT_13.createModule().stateDictShapes()));
    assertTrue(h13.contains("looks like CvT-13 (variant 'cvt_13_224' or 'cvt_13_384'"), h13);
    // Its own shapes give no variant hint.
    assertEquals(List.of(), cvt13.diagnose(CvtVariants.CVT_13.createModule().stateDictShapes()));
  }

  @Test
  void suggestsTheClassCountAndDescribesUnknownConfigs() {
    Cvt cvt13 = CvtVariants.CVT_13.createModule();
    String classes = String.join("\n",
        cvt13.diagnose(CvtVariants.CVT_13.withNumClasses(21841).createModule().stateDictShapes()));
    assertTrue(classes.contains("CvtConfig.withNumClasses(21841)"), classes);
    String odd = String.join("\n", cvt13.diagnose(CvtVariants.CVT_13
        .withEachStage(s -> s.withQkvBias(false)).createModule().stateDictShapes()));
    assertTrue(odd.contains("matches no official variant"), odd);
    assertTrue(odd.contains("q/k/v bias [false, false, false]"), odd);
  }

  @Test
  void detectsHuggingFaceNamesAndTheirVariant() {
    Map<String, long[]> hf = new LinkedHashMap<>();
    CvtVariants.CVT_21.createModule().stateDictShapes()
        .forEach((k, v) -> hf.put(HfKeys.pytorch(k), v));
    String hints = String.join("\n", CvtVariants.CVT_13.createModule().diagnose(hf));
    assertTrue(hints.contains("Hugging Face CvT names"), hints);
    assertTrue(hints.contains("CvtHfNames.toOriginal"), hints);
    assertTrue(hints.contains("GeluKind.ERF"), hints);
    assertTrue(hints.contains("looks like CvT-21"), hints);
  }

  @Test
  void hfNamesMapBackToEveryOriginalKey() {
    for (CvtConfig c : List.of(CvtVariants.CVT_13, CvtVariants.CVT_W24,
        CvtVariants.CVT_13.withEachStage(s -> s.withQkvBias(false).withClsToken(true)))) {
      for (String k : c.createModule().stateDictShapes().keySet()) {
        assertEquals(k, CvtHfNames.originalKey(HfKeys.pytorch(k)).orElseThrow(), k);
        if (!k.endsWith("num_batches_tracked")) {
          assertEquals(k, CvtHfNames.originalKey(HfKeys.tf(k)).orElseThrow(), k);
        }
        assertTrue(CvtHfNames.originalKey(k).isEmpty(), k + " is not an HF name");
      }
    }
    assertEquals("stage0.patch_embed.proj.weight", CvtHfNames.originalKey(
        "tf_cvt_for_image_classification/cvt/encoder/stages.0/embedding/convolution_embeddings"
            + "/projection/kernel:0").orElseThrow());
    assertEquals("stage2.cls_token",
        CvtHfNames.originalKey("cvt.encoder.stages.2.cls_token:0").orElseThrow());
    assertEquals("head.weight", CvtHfNames.originalKey("classifier/kernel:0").orElseThrow());
    assertEquals(List.of(1000L, 384L), List.of(
        CvtHfNames.originalShape("classifier/kernel:0", new long[] {384, 1000})[0],
        CvtHfNames.originalShape("classifier/kernel:0", new long[] {384, 1000})[1]));
  }

  /** Original → HF names, straight from the spec's §7 table (independent of CvtHfNames). */
  static final class HfKeys {
    static String pytorch(String k) {
      String[][] block = {
          {"norm1.", "layernorm_before."},
          {"norm2.", "layernorm_after."},
          {"attn.conv_proj_q.conv.", "attention.attention.convolution_projection_query.convolution_projection.convolution."},
          {"attn.conv_proj_k.conv.", "attention.attention.convolution_projection_key.convolution_projection.convolution."},
          {"attn.conv_proj_v.conv.", "attention.attention.convolution_projection_value.convolution_projection.convolution."},
          {"attn.conv_proj_q.bn.", "attention.attention.convolution_projection_query.convolution_projection.normalization."},
          {"attn.conv_proj_k.bn.", "attention.attention.convolution_projection_key.convolution_projection.normalization."},
          {"attn.conv_proj_v.bn.", "attention.attention.convolution_projection_value.convolution_projection.normalization."},
          {"attn.proj_q.", "attention.attention.projection_query."},
          {"attn.proj_k.", "attention.attention.projection_key."},
          {"attn.proj_v.", "attention.attention.projection_value."},
          {"attn.proj.", "attention.output.dense."},
          {"mlp.fc1.", "intermediate.dense."},
          {"mlp.fc2.", "output.dense."}};
      var m = java.util.regex.Pattern.compile("stage(\\d+)\\.(.*)").matcher(k);
      if (!m.matches()) {
        return k.replaceFirst("^norm\\.", "layernorm.").replaceFirst("^head\\.", "classifier.");
      }
      String s = "cvt.encoder.stages." + m.group(1) + ".";
      String rest = m.group(2);
      if (rest.equals("cls_token")) {
        return s + "cls_token";
      }
      if (rest.startsWith("patch_embed.proj.")) {
        return s + "embedding.convolution_embeddings.projection." + rest.substring(17);
      }
      if (rest.startsWith("patch_embed.norm.")) {
        return s + "embedding.convolution_embeddings.normalization." + rest.substring(17);
      }
      var b = java.util.regex.Pattern.compile("blocks\\.(\\d+)\\.(.*)").matcher(rest);
      if (!b.matches()) {
        throw new AssertionError(k);
      }
      for (String[] r : block) {
        if (b.group(2).startsWith(r[0])) {
          return s + "layers." + b.group(1) + "." + r[1] + b.group(2).substring(r[0].length());
        }
      }
      throw new AssertionError(k);
    }

    /** TF variable name with the model scope and ":0" (norm weights are gamma, others kernel). */
    static String tf(String k) {
      String pt = pytorch(k);
      if (pt.endsWith("cls_token")) {
        return pt + ":0";
      }
      String path = pt.substring(0, pt.lastIndexOf('.')).replace('.', '/')
          .replaceAll("stages/(\\d+)", "stages.$1").replaceAll("layers/(\\d+)", "layers.$1");
      String leaf = pt.substring(pt.lastIndexOf('.') + 1);
      boolean norm = path.endsWith("normalization") || path.contains("layernorm");
      leaf = switch (leaf) {
        case "weight" -> norm ? "gamma" : "kernel";
        case "bias" -> norm ? "beta" : "bias";
        case "running_mean" -> "moving_mean";
        case "running_var" -> "moving_variance";
        default -> throw new AssertionError(k);
      };
      return "tf_cvt_for_image_classification/" + path + "/" + leaf + ":0";
    }
  }
}
