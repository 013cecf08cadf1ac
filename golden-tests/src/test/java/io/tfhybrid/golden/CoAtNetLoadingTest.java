package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.coatnet.CoAtNet;
import io.tfhybrid.arch.coatnet.CoAtNetConfig;
import io.tfhybrid.arch.coatnet.CoAtNetVariants;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.nn.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/** Strict loading of CoAtNet checkpoints: wrong variant, wrong build size, altered index buffer. */
class CoAtNetLoadingTest {

  @Test
  void anotherVariantsCheckpointFailsWithEveryProblemAndNamesTheVariant() {
    StateDict other = SyntheticCheckpoints.random("coatnet_1.safetensors",
        CoAtNetVariants.COATNET_1_224.config().createModule().stateDictSpec(), 3);
    CoAtNet root = CoAtNetVariants.COATNET_0_224.config().createModule();
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("coatnet_0_224", root, other));
      List<String> expected = SyntheticCheckpoints.expectedProblems(root.stateDictSpec(), other);
      assertEquals(192, expected.size()); // s2.3-5 and s3.5-13 exist only in coatnet_1
      assertEquals(expected, e.problems());
      assertTrue(e.getMessage().startsWith("Cannot load checkpoint 'coatnet_1.safetensors' into"
          + " CoAtNet 'coatnet_0_224' (192 problems):"), e.getMessage());
      assertTrue(e.getMessage().contains("\nHint: the checkpoint looks like variant 'coatnet_1_224'"
          + " (num_blocks [2, 2, 6, 14, 2], channels [64, 96, 192, 384, 768], block_types C-C-T-T);"
          + " this model is variant 'coatnet_0_224': build 'coatnet_1_224' instead"),
          e.getMessage());
    }
  }

  @Test
  void checkpointBuiltForAnotherSizeSaysWhichSizeItFits() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.COATNET, "tiny_64_b2");
    CoAtNetConfig at96 = CoAtNetConfig.fromFixture(c.metadata()).withImageSize(96);
    StateDict sd = Checkpoints.read(c.weights(Format.SAFETENSORS));
    CoAtNet root = new CoAtNet(at96);
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("tiny_64_b2@96", root, sd));
      assertEquals(SyntheticCheckpoints.expectedProblems(root.stateDictSpec(), sd), e.problems());
      assertEquals(8, e.problems().size()); // table + index of s3.0, s3.1, s4.0, s4.1
      assertTrue(e.problems().contains("size mismatch 's3.0.attn.1.fn.relative_bias_table':"
          + " expected [121, 8], found [49, 8]"), e.problems().toString());
      assertTrue(e.problems().contains("size mismatch 's4.1.attn.1.fn.relative_index':"
          + " expected [81, 1], found [16, 1]"), e.problems().toString());
      assertTrue(e.getMessage().contains("\nHint: the relative-position bias tables of this"
          + " checkpoint belong to image size 64, not 96:"), e.getMessage());
      assertTrue(e.getMessage().contains("CoAtNetConfig.withImageSize(64) and feed 64x64 inputs"),
          e.getMessage());
    }
  }

  @Test
  void relativeIndexThatDiffersFromTheComputedOneFails() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.COATNET, "tiny_64_b2");
    StateDict sd = Checkpoints.read(c.weights(Format.PTH));
    String key = "s3.1.attn.1.fn.relative_index";
    // The transposed (key-minus-query) index: a classic porting error.
    long[] idx = sd.get(key).toLongArray();
    int n = (int) Math.round(Math.sqrt(idx.length));
    long[] transposed = new long[idx.length];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        transposed[a * n + b] = idx[b * n + a];
      }
    }
    LinkedHashMap<String, HostTensor> altered = new LinkedHashMap<>(sd.asMap());
    altered.put(key, HostTensor.ofLongs(sd.get(key).shape(), transposed));
    StateDict bad = StateDict.of("altered.pth", altered, List.of());
    CoAtNet root = new CoAtNet(CoAtNetConfig.fromFixture(c.metadata()));
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("tiny_64_b2", root, bad));
      assertEquals(List.of("computed buffer '" + key + "' differs from the checkpoint: at flat"
          + " index 1 expected " + idx[1] + ", found " + transposed[1]), e.problems());
    }
  }

  @Test
  void biasIsGatheredOnceAtLoadFromTheCheckpointsTable() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.COATNET, "tiny_96_b1");
    StateDict sd = Checkpoints.read(c.weights(Format.SAFETENSORS));
    CoAtNet root = new CoAtNet(CoAtNetConfig.fromFixture(c.metadata()));
    try (BuiltModel m = BuiltModel.build("tiny_96_b1", root, 96, 96)) {
      LoadReport report = WeightLoader.load(m, sd);
      assertEquals(sd.size(), report.tensorsLoaded());
      String p = "s4.1.attn.1.fn.";
      float[] table = sd.get(p + "relative_bias_table").toFloatArray();
      long[] index = sd.get(p + "relative_index").toLongArray(); // the file's own index
      try (Result r = m.session().runner()
          .fetch(m.weights().floatVariable(p + "relative_bias_gathered")).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        assertArrayEquals(new long[] {8, 9, 9}, t.shape().asArray());
        for (int e = 0; e < 8; e++) {
          for (int ab = 0; ab < 81; ab++) {
            assertEquals(table[(int) index[ab] * 8 + e], t.getFloat(e, ab / 9, ab % 9));
          }
        }
      }
    }
  }
}
