package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code nn.GroupNorm(G, C, eps)}: per sample and group, statistics over the group's C/G channels
 * and all of H and W (biased variance), then a per-channel affine. Reference in NCHW.
 */
class GroupNormTest {

  private static double[] referenceNchw(
      float[] x, int n, int c, int h, int w, int groups, float[] gamma, float[] beta, double eps) {
    double[] y = new double[x.length];
    int cg = c / groups;
    int hw = h * w;
    for (int s = 0; s < n; s++) {
      for (int g = 0; g < groups; g++) {
        int from =
            (s * c + g * cg) * hw; // group g is channels [g·cg, (g+1)·cg): contiguous in NCHW
        int count = cg * hw;
        double mean = 0;
        for (int i = 0; i < count; i++) {
          mean += x[from + i];
        }
        mean /= count;
        double var = 0;
        for (int i = 0; i < count; i++) {
          var += (x[from + i] - mean) * (x[from + i] - mean);
        }
        var /= count;
        for (int i = 0; i < count; i++) {
          int ch = g * cg + i / hw;
          y[from + i] = (x[from + i] - mean) / Math.sqrt(var + eps) * gamma[ch] + beta[ch];
        }
      }
    }
    return y;
  }

  @ParameterizedTest(name = "{0} group(s)")
  @ValueSource(ints = {1, 2, 3, 6})
  void matchesReference(int groups) {
    int n = 2;
    int c = 6;
    int h = 3;
    int w = 4;
    float[] xNchw = TorchRef.uniform(10 + groups, n * c * h * w, -2, 3);
    // Give each channel a different offset so that per-group statistics really differ.
    for (int i = 0; i < xNchw.length; i++) {
      xNchw[i] += (i / (h * w)) % c;
    }
    float[] gamma = TorchRef.uniform(20, c, 0.5, 1.5);
    float[] beta = TorchRef.uniform(21, c, -1, 1);
    float eps = 1e-5f;
    HostTensor y =
        TorchRef.run(
            new GroupNorm(groups, c, eps),
            Map.of("weight", gamma, "bias", beta),
            new long[] {n, h, w, c},
            TorchRef.nchwToNhwc(xNchw, n, c, h, w));
    assertShape(new long[] {n, h, w, c}, y);
    double[] ref = referenceNchw(xNchw, n, c, h, w, groups, gamma, beta, eps);
    assertClose(TorchRef.nchwToNhwc(ref, n, c, h, w), y.toFloatArray(), "GroupNorm " + groups);
  }

  @Test
  void handComputedOneGroup() {
    // One sample, 1×2 map, 2 channels: values 1, 2, 3, 4 → mean 2.5, biased var 1.25.
    float[] nhwc = {1, 3, 2, 4}; // pixel 0: (c0=1, c1=3), pixel 1: (c0=2, c1=4)
    HostTensor y =
        TorchRef.run(
            new GroupNorm(1, 2, 0f),
            Map.of("weight", new float[] {1, 2}, "bias", new float[] {0, 10}),
            new long[] {1, 1, 2, 2},
            nhwc);
    double s = Math.sqrt(1.25);
    assertClose(
        new double[] {-1.5 / s, 0.5 / s * 2 + 10, -0.5 / s, 1.5 / s * 2 + 10},
        y.toFloatArray(),
        "GN hand");
  }

  @Test
  void keysAndValidation() {
    List<ParamSpec> spec = new GroupNorm(2, 8, 1e-5f).stateDictSpec();
    assertEquals(List.of("weight", "bias"), spec.stream().map(ParamSpec::key).toList());
    assertArrayEquals(new long[] {8}, spec.get(0).torchShape());
    assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 8, 1e-5f));
  }
}
