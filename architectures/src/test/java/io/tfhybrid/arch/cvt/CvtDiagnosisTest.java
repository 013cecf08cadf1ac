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
        .forEach((k, v) -> hf.put(CvtHfTable.pytorchKey(k), v));
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
        assertEquals(k, CvtHfNames.originalKey(CvtHfTable.pytorchKey(k)).orElseThrow(), k);
        if (!k.endsWith("num_batches_tracked")) {
          assertEquals(k, CvtHfNames.originalKey(CvtHfTable.tfName(k)).orElseThrow(), k);
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
}
