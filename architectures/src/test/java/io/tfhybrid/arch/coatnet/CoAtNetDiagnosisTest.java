package io.tfhybrid.arch.coatnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link CoAtNet#diagnose} says about checkpoints that do not fit (keys and shapes only). */
class CoAtNetDiagnosisTest {

  @Test
  void anotherVariantIsNamed() {
    CoAtNet model = CoAtNetVariants.COATNET_0_224.config().createModule();
    List<String> hints =
        model.diagnose(CoAtNetVariants.COATNET_1_224.config().createModule().stateDictShapes());
    assertEquals(1, hints.size(), hints.toString());
    assertTrue(hints.get(0).startsWith("the checkpoint looks like variant 'coatnet_1_224'"
        + " (num_blocks [2, 2, 6, 14, 2], channels [64, 96, 192, 384, 768], block_types C-C-T-T)"
        + "; this model is variant 'coatnet_0_224'"), hints.get(0));
  }

  @Test
  void anotherVariantWithOtherClassesAndSizeIsNamed() {
    CoAtNet model = CoAtNetVariants.COATNET_3_224.config().createModule();
    List<String> hints = model.diagnose(CoAtNetVariants.COATNET_2_224.config().withNumClasses(10)
        .withImageSize(256).createModule().stateDictShapes());
    assertEquals(2, hints.size(), hints.toString());
    assertTrue(hints.get(0).contains("belong to image size 256, not 224"), hints.get(0));
    assertTrue(hints.get(1).startsWith("the checkpoint looks like variant 'coatnet_2_224'")
        && hints.get(1).contains("10 classes, built for 256x256)"), hints.get(1));
  }

  @Test
  void tablesOfAnotherSizeSayWhichSizeTheyFit() {
    CoAtNetConfig tiny = CoAtNetModelTest.TINY;
    List<String> hints =
        tiny.createModule().diagnose(tiny.withImageSize(96).createModule().stateDictShapes());
    assertEquals(1, hints.size(), hints.toString());
    assertEquals("the relative-position bias tables of this checkpoint belong to image size 96, not"
        + " 64: 's3.0.attn.1.fn.relative_bias_table' [121, 8] has (2*6-1)^2 rows for the 6x6 token"
        + " grid of s3 at 96 (at 64 it is [49, 8] for 4x4). A CoAtNet is tied to the size it was"
        + " built for: build it with CoAtNetConfig.withImageSize(96) and feed 96x96 inputs",
        hints.get(0));
  }

  @Test
  void cTttTablesAreReadFromStageS1() {
    CoAtNetConfig cttt = CoAtNetModelTest.TINY.withBlockTypes(CoAtNetBlockType.layout("C-T-T-T"));
    List<String> hints =
        cttt.createModule().diagnose(cttt.withImageSize(128).createModule().stateDictShapes());
    assertTrue(hints.get(0).contains("belong to image size 128, not 64: "
        + "'s2.0.attn.1.fn.relative_bias_table' [961, 8] has (2*16-1)^2 rows for the 16x16 token"
        + " grid of s2"), hints.toString());
  }

  @Test
  void otherClassCountIsExplained() {
    CoAtNetConfig tiny = CoAtNetModelTest.TINY;
    List<String> hints =
        tiny.createModule().diagnose(tiny.withNumClasses(7).createModule().stateDictShapes());
    assertEquals(List.of("the checkpoint's classifier has 7 classes ('fc.weight' [7, 32]), this"
        + " model 10: use CoAtNetConfig.withNumClasses(7)"), hints);
  }

  @Test
  void aNetworkThatIsNoVariantIsDescribed() {
    CoAtNetConfig tiny = CoAtNetModelTest.TINY;
    CoAtNetConfig other = tiny.withBlockTypes(CoAtNetBlockType.layout("C-T-T-T"));
    List<String> hints = CoAtNetVariants.COATNET_0_224.config().createModule()
        .diagnose(other.createModule().stateDictShapes());
    assertTrue(hints.get(hints.size() - 1).startsWith("the checkpoint is a complete CoAtNet("
        + "image_size=64, num_blocks=[2, 2, 2, 2, 2], channels=[8, 14, 18, 24, 32],"
        + " block_types=C-T-T-T, num_classes=10), which is no registered variant"),
        hints.toString());
  }

  @Test
  void foreignCheckpointsAreRecognised() {
    CoAtNet model = CoAtNetModelTest.TINY.createModule();
    Map<String, long[]> timm = new LinkedHashMap<>();
    timm.put("stem.conv1.weight", new long[] {32, 3, 3, 3});
    timm.put("stages.0.blocks.0.conv1_1x1.weight", new long[] {256, 64, 1, 1});
    assertTrue(model.diagnose(timm).get(0).startsWith("this looks like a timm CoAtNet checkpoint"));
    Map<String, long[]> wrapped = new LinkedHashMap<>();
    CoAtNetModelTest.TINY.createModule().stateDictShapes()
        .forEach((k, v) -> wrapped.put("module." + k, v));
    assertTrue(model.diagnose(wrapped).get(0).contains("withPrefixStripped(\"module.\")"));
  }
}
