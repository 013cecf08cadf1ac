package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.transcnn.HatNetConfig;
import io.tfhybrid.arch.transcnn.HatNetFixtures;
import io.tfhybrid.arch.transcnn.HatNetVariants;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Loading TransCNN / HAT-Net checkpoints through {@link WeightLoader}: the wrong variant, another
 * class count, a withdrawn TransCNN v1 checkpoint, and the unused {@code attn.proj_norm}.
 */
class HatNetLoadingTest {

  /** A state dict of zeros with the given keys and shapes (loading fails before values matter). */
  private static StateDict zeros(String source, Map<String, long[]> shapes) {
    LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
    shapes.forEach((k, s) -> t.put(k, k.endsWith("num_batches_tracked")
        ? HostTensor.ofLongs(s, new long[Math.toIntExact(HostTensor.numel(s))])
        : HostTensor.ofFloats(s, new float[Math.toIntExact(HostTensor.numel(s))])));
    return StateDict.of(source, t, List.of());
  }

  @Test
  void anotherVariantFailsWithEveryProblemAndNamesTheVariant() {
    Map<String, long[]> small = HatNetVariants.SMALL.createModule().stateDictShapes();
    Map<String, long[]> tiny = HatNetVariants.TINY.createModule().stateDictShapes();
    // Every problem the loader must report: shape mismatches, missing and unexpected keys.
    int expected = 0;
    for (Map.Entry<String, long[]> e : tiny.entrySet()) {
      long[] other = small.get(e.getKey());
      expected += other == null || !Arrays.equals(other, e.getValue()) ? 1 : 0;
    }
    for (String k : small.keySet()) {
      expected += tiny.containsKey(k) ? 0 : 1;
    }
    {
      StateDict sd = zeros("HAT-Net_Small.pth", small);
      CheckpointMismatchException e =
          assertThrows(CheckpointMismatchException.class, () -> WeightLoader.check(
              "transcnn_tiny_224", HatNetVariants.TRANSCNN_TINY_224.config().createModule(), sd));
      assertEquals(expected, e.problems().size());
      String msg = e.getMessage();
      assertTrue(msg.startsWith("Cannot load checkpoint 'HAT-Net_Small.pth' into TransCNN"
          + " (HAT-Net) 'transcnn_tiny_224' (" + expected + " problems):\n"), msg);
      assertTrue(msg.contains("\n  size mismatch 'patch_embed.3.weight': expected [48, 16, 3, 3],"
          + " found [64, 16, 3, 3]"), msg);
      assertTrue(e.problems().contains("unexpected 'blocks.1.2.attn.norm.weight' [128]"));
      assertTrue(msg.endsWith("\nHint: the checkpoint looks like variant 'transcnn_small_224'"
          + " (HAT_Net_small, HAT-Net_Small.pth: dims [64, 128, 320, 512], depths [2, 3, 8, 3],"
          + " kernel sizes [3, 3, 3, 3])"), msg);
    }
  }

  @Test
  void anotherClassCountSaysHowToBuildIt() throws IOException {
    GoldenCase c = GoldenCase.named(Arch.TRANSCNN, "b2_nonsquare_64x96");
    HatNetConfig eleven = HatNetConfig.fromFixture(c.metadata()).withNumClasses(11);
    {
      StateDict sd = Checkpoints.read(c.weights(Format.SAFETENSORS));
      CheckpointMismatchException e =
          assertThrows(CheckpointMismatchException.class,
              () -> WeightLoader.check("b2_nonsquare_64x96", eleven.createModule(), sd));
      assertEquals(List.of("size mismatch 'classifier.1.weight': expected [11, 48], found [10, 48]",
          "size mismatch 'classifier.1.bias': expected [11], found [10]"), e.problems());
      assertTrue(e.getMessage().endsWith("\nHint: the checkpoint has 10 classes"
          + " ('classifier.1.weight' [10, 48]); for a different class count use"
          + " HatNetConfig.withNumClasses(10)"), e.getMessage());
    }
  }

  @Test
  void transCnnV1CheckpointIsRejectedAsSuch() {
    // Keys and shapes of TransCNN_Tiny from the withdrawn v1 code (TransCNN.py@0bd7463).
    Map<String, long[]> tiny = HatNetFixtures.transCnnV1Shapes(new int[] {64, 128, 256, 512},
        new int[] {2, 2, 4, 2}, new int[] {4, 4, 4, 4}, new int[] {8, 8, 8, 1}, 1000);
    StateDict v1 = zeros("TransCNN-Tiny.pth", tiny);
    ClassifierModel tinyRoot = HatNetVariants.TRANSCNN_TINY_224.config().createModule();
    {
      CheckpointMismatchException e =
          assertThrows(CheckpointMismatchException.class,
              () -> WeightLoader.check("transcnn_tiny_224", tinyRoot, v1));
      String msg = e.getMessage();
      int n = e.problems().size();
      assertTrue(n > 300, "the full list stays available in problems(): " + n);
      assertTrue(msg.startsWith("Cannot load checkpoint 'TransCNN-Tiny.pth' into TransCNN (HAT-Net)"
          + " 'transcnn_tiny_224': TransCNN v1 checkpoint: not supported, use the HAT-Net release ("
          + n + " problems, the first 5 shown):\n"), msg);
      assertEquals(5, msg.lines().filter(l -> l.startsWith("  ") && !l.startsWith("  …")).count(),
          msg);
      assertTrue(msg.contains("\n  … and " + (n - 5) + " more\n"), msg);
      assertTrue(msg.contains("\nHint: TransCNN v1 checkpoint: not supported, use the HAT-Net"
          + " release. The keys have BatchNorm running statistics"), msg);
      assertTrue(msg.contains("It looks like TransCNN_Tiny (dims [64, 128, 256, 512], depths"
          + " [2, 2, 4, 2]). Download 'HAT-Net_Tiny.pth' (variant 'transcnn_tiny_224') from"
          + " release v2.0 of yun-liu/HAT-Net instead."), msg);
      // Non-strict loading would zero-fill nearly everything: a v1 checkpoint still fails.
      CheckpointMismatchException lenient = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.builder().strict(false).build()
              .checkAgainst("transcnn_tiny_224", tinyRoot, v1));
      assertTrue(lenient.getMessage().contains(": TransCNN v1 checkpoint: not supported"));
    }
  }

  @Test
  void projNormIsLoadedButNeverUsed() throws IOException {
    GoldenCase c = GoldenCase.named(Arch.TRANSCNN, "b2_odd_45x79_floorpool");
    try (BuiltModel m = BuiltModel.build(c.toString(),
        HatNetConfig.fromFixture(c.metadata()).createModule(),
        c.height(), c.width())) {
      StateDict sd = Checkpoints.read(c.weights(Format.PTH));
      WeightLoader.load(m, sd); // strict: proj_norm keys match declared variables
      HostTensor nhwc = c.inputNhwc();
      float[] before = m.run(nhwc, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS)
          .toFloatArray();
      Map<String, Object> scrambled = new HashMap<>();
      SplittableRandom rnd = new SplittableRandom(3);
      Set<String> projNormKeys = new HashSet<>();
      for (ParamSpec p : m.stateDictSpec()) {
        if (p.key().contains(".attn.proj_norm.")) {
          float[] v = new float[Math.toIntExact(p.numel())];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 10 - 5);
          }
          scrambled.put(p.key(), v);
          projNormKeys.add(p.key());
        }
      }
      assertEquals(2 * (2 + 1 + 1 + 2), projNormKeys.size(), "one proj_norm per block");
      m.weights().assign(m.session(), scrambled);
      float[] after = m.run(nhwc, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS)
          .toFloatArray();
      assertArrayEquals(before, after, 0f);
    }
  }
}
