package io.tfhybrid.arch.transcnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Models;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * One forward pass of the smallest official variant at its default resolution with random
 * weights: shapes and finiteness only (numbers are checked by the golden tests).
 */
class HatNetSmokeTest {

  @Test
  void tinyRunsAtItsDefaultResolution() {
    try (BuiltModel m = Models.build("hatnet_tiny_224")) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 7));
      int n = 2;
      float[] x = new float[n * 224 * 224 * 3];
      SplittableRandom rnd = new SplittableRandom(11);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextDouble() * 4 - 2);
      }
      Map<String, HostTensor> out = m.run(HostTensor.ofFloats(new long[] {n, 224, 224, 3}, x),
          List.of(BuiltModel.LOGITS, BuiltModel.FEATURES, "patch_embed", "blocks.0.1",
              "blocks.0.0.attn.ds_norm", "ds4", "blocks.3.2"));
      assertArrayEquals(new long[] {n, 1000}, out.get(BuiltModel.LOGITS).shape());
      assertArrayEquals(new long[] {n, 384}, out.get(BuiltModel.FEATURES).shape());
      assertArrayEquals(new long[] {n, 56, 56, 48}, out.get("patch_embed").shape());
      assertArrayEquals(new long[] {n, 56, 56, 48}, out.get("blocks.0.1").shape());
      assertArrayEquals(new long[] {n, 7, 7, 48}, out.get("blocks.0.0.attn.ds_norm").shape());
      assertArrayEquals(new long[] {n, 7, 7, 384}, out.get("ds4").shape());
      assertArrayEquals(new long[] {n, 7, 7, 384}, out.get("blocks.3.2").shape());
      for (HostTensor t : out.values()) {
        for (float f : t.toFloatArray()) {
          assertTrue(Float.isFinite(f), "non-finite output");
        }
      }
    }
  }

  @Test
  void wrongLayoutOrChannelsAreRejectedBeforeRunning() {
    HatNetConfig small = HatNetVariants.TINY.withDepths(1, 1, 1, 1).withNumClasses(5);
    try (BuiltModel m = BuiltModel.build("tiny_test", small.createModule(), 224, 224)) {
      IllegalArgumentException nchw = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 3, 224, 224}, new float[3 * 224 * 224]),
              List.of(BuiltModel.LOGITS)));
      assertTrue(nchw.getMessage().contains("expected [N, 224, 224, 3] NHWC float32, found"
          + " [1, 3, 224, 224] (NCHW? use Layouts.nchwToNhwc)"), nchw.getMessage());
      IllegalArgumentException gray = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 224, 224, 1}, new float[224 * 224]),
              List.of(BuiltModel.LOGITS)));
      assertTrue(gray.getMessage().contains("found [1, 224, 224, 1]"), gray.getMessage());
      IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 256, 256, 3}, new float[256 * 256 * 3]),
              List.of(BuiltModel.LOGITS)));
      assertTrue(size.getMessage().contains("found [1, 256, 256, 3]"), size.getMessage());
    }
  }
}
