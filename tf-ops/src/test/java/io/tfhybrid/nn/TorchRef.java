package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Naive double-precision references written from PyTorch's documented semantics (NCHW, OIHW,
 * cross-correlation, symmetric zero padding), plus the layout loops and the comparison used by the
 * layer unit tests. Nothing here calls the code under test: layout changes are explicit index
 * arithmetic, not {@link Layout} or {@code Layouts}.
 */
public final class TorchRef {
  private TorchRef() {}

  /**
   * Per-tensor tolerance for a float32 graph result against a double reference: {@code max|Δ| ≤
   * FP32_UNIT · max(1, max|reference|)}. Ten times tighter than the golden {@code Tolerance.FP32},
   * because a single layer has far fewer accumulated roundings.
   */
  public static final double FP32_UNIT = 1e-5;

  /** Deterministic uniform values in {@code [lo, hi)}. */
  public static float[] uniform(long seed, int n, double lo, double hi) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return out;
  }

  /** PyTorch {@code nn.Conv2d} output size {@code floor((n + 2p − k)/s) + 1}. */
  public static int convOut(int n, int k, int s, int p) {
    return Math.floorDiv(n + 2 * p - k, s) + 1;
  }

  /**
   * {@code torch.nn.functional.conv2d} in double: {@code out[b, o, y, x] = bias[o] + Σ_{k, p, q}
   * w[o, k, p, q] · in[b, g·(C/groups) + k, y·sh − ph + p, x·sw − pw + q]}, {@code g = o /
   * (O/groups)}, reads outside the map are 0. Input NCHW, weight OIHW, output NCHW {@code [b, o,
   * oh, ow]}.
   */
  public static double[] conv2d(
      float[] x,
      int b,
      int c,
      int h,
      int w,
      float[] wt,
      int o,
      int kh,
      int kw,
      float[] bias,
      int sh,
      int sw,
      int ph,
      int pw,
      int groups) {
    int oh = convOut(h, kh, sh, ph);
    int ow = convOut(w, kw, sw, pw);
    int cinG = c / groups;
    int coutG = o / groups;
    double[] out = new double[b * o * oh * ow];
    for (int n = 0; n < b; n++) {
      for (int oc = 0; oc < o; oc++) {
        int g = oc / coutG;
        for (int y = 0; y < oh; y++) {
          for (int xx = 0; xx < ow; xx++) {
            double acc = bias == null ? 0 : bias[oc];
            for (int k = 0; k < cinG; k++) {
              int ic = g * cinG + k;
              for (int p = 0; p < kh; p++) {
                int iy = y * sh - ph + p;
                if (iy < 0 || iy >= h) {
                  continue;
                }
                for (int q = 0; q < kw; q++) {
                  int ix = xx * sw - pw + q;
                  if (ix < 0 || ix >= w) {
                    continue;
                  }
                  acc +=
                      (double) wt[((oc * cinG + k) * kh + p) * kw + q]
                          * x[((n * c + ic) * h + iy) * w + ix];
                }
              }
            }
            out[((n * o + oc) * oh + y) * ow + xx] = acc;
          }
        }
      }
    }
    return out;
  }

  /** NCHW → NHWC by index arithmetic. */
  public static float[] nchwToNhwc(float[] x, int b, int c, int h, int w) {
    float[] out = new float[x.length];
    for (int n = 0; n < b; n++) {
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < w; xx++) {
            out[((n * h + y) * w + xx) * c + ch] = x[((n * c + ch) * h + y) * w + xx];
          }
        }
      }
    }
    return out;
  }

  /** NCHW → NHWC by index arithmetic (double). */
  public static double[] nchwToNhwc(double[] x, int b, int c, int h, int w) {
    double[] out = new double[x.length];
    for (int n = 0; n < b; n++) {
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < w; xx++) {
            out[((n * h + y) * w + xx) * c + ch] = x[((n * c + ch) * h + y) * w + xx];
          }
        }
      }
    }
    return out;
  }

  /** Runs {@code module} once in a fresh graph and returns its output. */
  public static HostTensor run(
      Module module, Map<String, ?> torchWeights, long[] inputShape, float[] input) {
    try (GraphTester g = GraphTester.create()) {
      return g.run(module, torchWeights, inputShape, input).output();
    }
  }

  /**
   * Asserts {@code max|actual − expected| ≤ unit · max(1, max|expected|)}, naming the worst index.
   */
  public static void assertClose(double[] expected, float[] actual, double unit, String what) {
    assertEquals(expected.length, actual.length, what + ": element count");
    double scale = 1;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double worst = -1;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(actual[i] - expected[i]);
      if (!(d <= worst) || Double.isNaN(d)) {
        worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        at = i;
      }
    }
    if (worst > unit * scale) {
      fail(
          String.format(
              "%s: max |Δ| %.3g at index %d (expected %.9g, found %.9g) exceeds %.3g",
              what, worst, at, expected[at], actual[at], unit * scale));
    }
  }

  /** {@link #assertClose} with {@link #FP32_UNIT}. */
  public static void assertClose(double[] expected, float[] actual, String what) {
    assertClose(expected, actual, FP32_UNIT, what);
  }

  /** Asserts the shape of a result. */
  public static void assertShape(long[] expected, HostTensor t) {
    assertArrayEquals(expected, t.shape(), "shape " + Checks.shape(t.shape()));
  }

  public static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
