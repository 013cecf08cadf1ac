package io.tfhybrid.arch.cvt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * One forward pass of the smallest official variant (cvt_13_224) at its default resolution with
 * random weights: finite outputs of the right shapes. A smoke test; numbers come from golden cases.
 */
class CvtSmokeTest {

  @Test
  void cvt13At224RunsWithRandomWeights() {
    try (BuiltModel m = Models.build("cvt_13_224")) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 13));
      float[] img = new float[224 * 224 * 3];
      SplittableRandom rnd = new SplittableRandom(7);
      for (int i = 0; i < img.length; i++) {
        img[i] = (float) (rnd.nextDouble() * 4 - 2);
      }
      Map<String, HostTensor> out = m.run(HostTensor.ofFloats(new long[] {1, 224, 224, 3}, img),
          List.of("stage0", "stage1", "stage2", "norm", BuiltModel.FEATURES, BuiltModel.LOGITS));
      assertArrayEquals(new long[] {1, 56, 56, 64}, out.get("stage0").shape());
      assertArrayEquals(new long[] {1, 28, 28, 192}, out.get("stage1").shape());
      assertArrayEquals(new long[] {1, 14, 14, 384}, out.get("stage2").shape());
      assertArrayEquals(new long[] {1, 1, 384}, out.get("norm").shape());
      assertArrayEquals(new long[] {1, 384}, out.get(BuiltModel.FEATURES).shape());
      assertArrayEquals(new long[] {1, 1000}, out.get(BuiltModel.LOGITS).shape());
      for (HostTensor t : out.values()) {
        for (float f : t.toFloatArray()) {
          assertTrue(Float.isFinite(f), "non-finite output");
        }
      }
      float[] logits = out.get(BuiltModel.LOGITS).toFloatArray();
      float spread = 0;
      for (float f : logits) {
        spread = Math.max(spread, Math.abs(f - logits[0]));
      }
      assertTrue(spread > 0, "logits are all equal");
      assertEquals(1000, m.root().numClasses());
    }
  }
}
