package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.cvt.CvtHfTable;
import io.tfhybrid.arch.cvt.CvtVariants;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import io.tfhybrid.interop.load.WeightLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loading the wrong checkpoint fails with every problem listed and a hint on what it is. */
class CvtLoadingTest {

  @Test
  void cvt21CheckpointInCvt13ListsEveryExtraBlockAndNamesCvt21() {
    StateDict sd = SyntheticCheckpoints.random(
        "CvT-21-224x224-IN-1k.pth", CvtVariants.CVT_21.createModule().stateDictSpec(), 21);
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("cvt_13_224", CvtVariants.CVT_13.createModule(), sd));
      // CvT-21 has 2 more blocks in stage1 and 6 more in stage2, 34 entries each.
      assertEquals(8 * 34, e.problems().size(), e.getMessage());
      assertTrue(e.problems().stream().allMatch(p -> p.startsWith("unexpected 'stage")));
      assertTrue(e.problems().contains("unexpected 'stage2.blocks.15.mlp.fc2.bias' [384]"));
      assertTrue(e.problems().contains("unexpected 'stage1.blocks.2.norm1.weight' [192]"));
      String msg = e.getMessage();
      assertTrue(msg.startsWith("Cannot load checkpoint 'CvT-21-224x224-IN-1k.pth' into CvT"
          + " 'cvt_13_224' (272 problems):"), msg);
      assertTrue(msg.contains("\nHint: the checkpoint looks like CvT-21 (variant 'cvt_21_224' or"
          + " 'cvt_21_384'"), msg);
      System.out.println(msg.lines().limit(4).toList() + " … "
          + msg.lines().filter(l -> l.startsWith("Hint")).toList());
    }
  }

  @Test
  void cvt13CheckpointInW24ListsEveryMismatchAndNamesCvt13() {
    StateDict sd = SyntheticCheckpoints.random(
        "CvT-13-384x384-IN-22k.pth", CvtVariants.CVT_13.createModule().stateDictSpec(), 13);
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("cvt_w24_384", CvtVariants.CVT_W24.createModule(), sd));
      assertTrue(e.problems().contains("size mismatch 'stage0.patch_embed.proj.weight': expected"
          + " [192, 3, 7, 7], found [64, 3, 7, 7]"), e.problems().toString());
      assertTrue(e.problems().contains("missing 'stage2.blocks.19.mlp.fc2.bias' [1024]"));
      assertTrue(e.problems().contains("missing 'stage0.blocks.1.norm1.weight' [192]"));
      // Every entry of CvT-13 has another shape in W24 (or W24 has it and CvT-13 does not).
      long mismatched = e.problems().stream().filter(p -> p.startsWith("size mismatch")).count();
      long missing = e.problems().stream().filter(p -> p.startsWith("missing")).count();
      assertEquals(833 - 459, missing);
      assertTrue(mismatched > 300, "mismatches: " + mismatched);
      assertTrue(e.getMessage().contains("Hint: the checkpoint looks like CvT-13 (variant"
          + " 'cvt_13_224' or 'cvt_13_384'"), e.getMessage());
    }
  }

  @Test
  void huggingFaceNamesAreRecognisedAndTheConversionIsSuggested() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.CVT, "cls_b2_64x80");
    StateDict original = Checkpoints.read(c.weights(Format.SAFETENSORS));
    StateDict hf = StateDict.of("model.safetensors", CvtHfTable.toHfPytorch(original.asMap()),
        List.of());
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("case", CvtConfig.fromFixture(c.metadata()).createModule(), hf));
      assertEquals(2 * original.size(), e.problems().size());
      assertTrue(e.getMessage().contains("Hint: the checkpoint uses Hugging Face CvT names ("
          + original.size() + " of " + original.size() + " keys"), e.getMessage());
      assertTrue(e.getMessage().contains("CvtHfNames.toOriginal(stateDict.asMap())"));
      assertTrue(e.getMessage().contains("GeluKind.ERF"));
    }
  }

  @Test
  void anotherClassCountSuggestsWithNumClasses() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.CVT, "cls_b2_64x80");
    CvtConfig thousand = CvtConfig.fromFixture(c.metadata()).withNumClasses(1000);
    StateDict sd = Checkpoints.read(c.weights(Format.PTH));
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("case", thousand.createModule(), sd));
      assertEquals(List.of("size mismatch 'head.weight': expected [1000, 48], found [10, 48]",
          "size mismatch 'head.bias': expected [1000], found [10]"), e.problems());
      assertTrue(e.getMessage().contains("use CvtConfig.withNumClasses(10)"), e.getMessage());
    }
  }
}
