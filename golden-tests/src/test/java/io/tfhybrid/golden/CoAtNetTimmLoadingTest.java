package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConfig;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import io.tfhybrid.interop.load.WeightLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strict loading of timm CoAtNet checkpoints into the wrong architecture, class count or size. */
class CoAtNetTimmLoadingTest {

  @Test
  void anotherArchitecturesCheckpointListsEveryProblemAndNamesTheArchitecture() {
    StateDict other = SyntheticCheckpoints.random("coatnet_rmlp_nano_rw_224.safetensors",
        Models.variant("coatnet_rmlp_nano_rw_224").config().createModule().stateDictSpec(), 3);
    ClassifierModel root = Models.variant("coatnet_nano_rw_224").config().createModule();
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("coatnet_nano_rw_224", root, other));
      List<String> expected = SyntheticCheckpoints.expectedProblems(root.stateDictSpec(), other);
      // 9 transformer blocks: a bias table each missing, 4 MLP tensors each unexpected.
      assertEquals(9 * 5, expected.size());
      assertEquals(expected, e.problems());
      System.out.println(e.getMessage());
      assertTrue(e.getMessage().contains("(45 problems)"), e.getMessage());
      assertTrue(e.getMessage().contains("\nHint: the checkpoint looks like architecture"
          + " 'coatnet_rmlp_nano_rw_224': stem [32, 64], embed_dim [64, 128, 256, 512], depths"
          + " [3, 4, 6, 3], SE late (se.*), conv biases yes, transformer shortcut bias yes,"
          + " LayerNorm, bias MLP 384, layer scale no, 1000 classes; build"
          + " 'coatnet_rmlp_nano_rw_224' instead (or --model auto)"), e.getMessage());
    }
  }

  @Test
  void anImageNet12kHeadSaysWhichTagItIs() {
    StateDict in12k = SyntheticCheckpoints.random("coatnet_2_rw_224.sw_in12k.safetensors",
        Models.variant("coatnet_2_rw_224.sw_in12k").config().createModule().stateDictSpec(), 5);
    String id = "coatnet_2_rw_224.sw_in12k_ft_in1k";
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check(id, Models.variant(id).config().createModule(), in12k));
      assertEquals(List.of(
          "size mismatch 'head.fc.weight': expected [1000, 1024], found [11821, 1024]",
          "size mismatch 'head.fc.bias': expected [1000], found [11821]"), e.problems());
      assertTrue(e.getMessage().contains("\nHint: its classifier has 11821 classes, this model"
          + " 1000 (an ImageNet-12k 'sw_in12k' head: use that tag, e.g."
          + " 'coatnet_2_rw_224.sw_in12k'); CoAtNetTimmConfig.withNumClasses(11821) builds it"),
          e.getMessage());
    }
  }

  @Test
  void tablesOfAnotherSizeSayTheSizeTheyFit() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.COATNET_TIMM, "rw0_pool_b2");
    CoAtNetTimmConfig at96 = ((CoAtNetTimmConfig) c.modelConfig()).withImageSize(96, 96);
    StateDict sd = Checkpoints.read(c.weights(Format.SAFETENSORS));
    ClassifierModel root = at96.createModule();
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("rw0_pool_b2@96", root, sd));
      assertEquals(SyntheticCheckpoints.expectedProblems(root.stateDictSpec(), sd), e.problems());
      assertEquals(2, e.problems().size());
      assertTrue(e.problems().contains("size mismatch"
          + " 'stages.2.blocks.0.attn.rel_pos.relative_position_bias_table': expected [121, 1],"
          + " found [49, 1]"), e.problems().toString());
      assertTrue(e.getMessage().contains("\nHint: its stage-2 bias tables have 49 rows, built for"
          + " 64x64; this model was built for 96x96 (121 rows)"), e.getMessage());
    }
  }
}
