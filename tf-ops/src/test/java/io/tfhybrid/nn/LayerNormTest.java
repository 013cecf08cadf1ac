package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nn.LayerNorm(C, eps)} over the last axis: biased variance, eps inside the square root. */
class LayerNormTest {

  static double[] reference(float[] x, int c, float[] w, float[] b, double eps) {
    double[] y = new double[x.length];
    for (int r = 0; r < x.length / c; r++) {
      double mean = 0;
      for (int i = 0; i < c; i++) {
        mean += x[r * c + i];
      }
      mean /= c;
      double var = 0;
      for (int i = 0; i < c; i++) {
        double d = x[r * c + i] - mean;
        var += d * d;
      }
      var /= c; // biased, as torch.nn.LayerNorm
      for (int i = 0; i < c; i++) {
        y[r * c + i] = (x[r * c + i] - mean) / Math.sqrt(var + eps) * w[i] + b[i];
      }
    }
    return y;
  }

  private static float[] run(LayerNorm ln, float[] w, float[] b, long[] shape, float[] x) {
    HostTensor y = TorchRef.run(ln, Map.of("weight", w, "bias", b), shape, x);
    assertShape(shape, y);
    return y.toFloatArray();
  }

  @Test
  void handComputedBiasedVariance() {
    // [1, 2, 3, 4]: mean 2.5, biased variance 1.25 (unbiased would be 5/3).
    float[] y =
        run(
            new LayerNorm(4, 1e-5f),
            new float[] {1, 1, 1, 1},
            new float[4],
            new long[] {1, 4},
            new float[] {1, 2, 3, 4});
    double s = Math.sqrt(1.25 + 1e-5);
    assertClose(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, y, "LN [1,2,3,4]");
  }

  @Test
  void tokensWithEps1em6() {
    int c = 8;
    float[] x = TorchRef.uniform(1, 2 * 5 * c, -3, 3);
    float[] w = TorchRef.uniform(2, c, 0.5, 1.5);
    float[] b = TorchRef.uniform(3, c, -0.5, 0.5);
    float[] y = run(new LayerNorm(c, 1e-6f), w, b, new long[] {2, 5, c}, x);
    assertClose(reference(x, c, w, b, 1e-6), y, "LN tokens");
  }

  @Test
  void epsIsTheGivenOne() {
    // Rows with variance ~1e-6: eps 1e-5 and 1e-6 give clearly different outputs.
    int c = 6;
    float[] x = TorchRef.uniform(4, 3 * c, -2e-3, 2e-3);
    float[] w = {1, 1, 1, 1, 1, 1};
    float[] b = new float[c];
    float[] y5 = run(new LayerNorm(c, 1e-5f), w, b, new long[] {3, c}, x);
    float[] y6 = run(new LayerNorm(c, 1e-6f), w, b, new long[] {3, c}, x);
    assertClose(reference(x, c, w, b, (double) 1e-5f), y5, "LN eps 1e-5");
    assertClose(reference(x, c, w, b, (double) 1e-6f), y6, "LN eps 1e-6");
    double maxDiff = 0;
    for (int i = 0; i < y5.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(y5[i] - y6[i]));
    }
    assertTrue(maxDiff > 0.1, "eps should matter here, max diff " + maxDiff);
  }

  @Test
  void channelsFirstOnNhwcMapNormalisesChannels() {
    int c = 5;
    float[] x = TorchRef.uniform(5, 2 * 3 * 4 * c, -1, 2);
    float[] w = TorchRef.uniform(6, c, 0.5, 1.5);
    float[] b = TorchRef.uniform(7, c, -0.5, 0.5);
    float[] y = run(LayerNorm.channelsFirst(c, 1e-6f), w, b, new long[] {2, 3, 4, c}, x);
    // NCHW channels_first LN = per-pixel normalisation over C: in NHWC every pixel is a row.
    assertClose(reference(x, c, w, b, 1e-6), y, "channels-first LN");
  }

  @Test
  void keys() {
    List<ParamSpec> spec = new LayerNorm(7, 1e-6f).stateDictSpec();
    assertEquals(List.of("weight", "bias"), spec.stream().map(ParamSpec::key).toList());
    assertArrayEquals(new long[] {7}, spec.get(0).torchShape());
    assertArrayEquals(new long[] {7}, spec.get(1).torchShape());
  }
}
