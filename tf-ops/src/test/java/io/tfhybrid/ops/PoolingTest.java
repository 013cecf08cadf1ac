package io.tfhybrid.ops;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.TorchRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Adaptive and global average pooling, and the pooled-size rule. */
class PoolingTest {

  /** {@code nn.AdaptiveAvgPool2d}: cell i averages rows {@code [floor(iH/oh), ceil((i+1)H/oh))}. */
  static double[] adaptiveReference(float[] x, int b, int h, int w, int c, int oh, int ow) {
    double[] y = new double[b * oh * ow * c];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < oh; i++) {
        int r0 = (int) Math.floor((double) i * h / oh);
        int r1 = (int) Math.ceil((double) (i + 1) * h / oh);
        for (int j = 0; j < ow; j++) {
          int c0 = (int) Math.floor((double) j * w / ow);
          int c1 = (int) Math.ceil((double) (j + 1) * w / ow);
          for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int yy = r0; yy < r1; yy++) {
              for (int xx = c0; xx < c1; xx++) {
                sum += x[((n * h + yy) * w + xx) * c + ch];
              }
            }
            y[((n * oh + i) * ow + j) * c + ch] = sum / ((r1 - r0) * (c1 - c0));
          }
        }
      }
    }
    return y;
  }

  @ParameterizedTest(name = "{0}x{1} → {2}x{3}")
  @CsvSource({
    "5, 7, 1, 1",
    "5, 7, 2, 3",
    "7, 5, 3, 3",
    "4, 4, 4, 4",
    "8, 6, 2, 3",
    "3, 3, 5, 5",
    "14, 14, 7, 7",
    "1, 1, 2, 2"
  })
  void adaptiveAveragePool(int h, int w, int oh, int ow) {
    int b = 2;
    int c = 3;
    float[] x = TorchRef.uniform(h * 100 + w * 10 + oh, b * h * w * c, -1, 2);
    HostTensor y;
    try (GraphTester g = GraphTester.create()) {
      y = g.eval(Pooling.adaptiveAvgPool(g.tf(), g.constant(new long[] {b, h, w, c}, x), oh, ow));
    }
    assertShape(new long[] {b, oh, ow, c}, y);
    assertClose(
        adaptiveReference(x, b, h, w, c, oh, ow),
        y.toFloatArray(),
        "adaptive " + h + "x" + w + " → " + oh + "x" + ow);
  }

  @Test
  void globalAveragePool() {
    int b = 2;
    int h = 3;
    int w = 5;
    int c = 4;
    float[] x = TorchRef.uniform(77, b * h * w * c, -1, 2);
    double[] ref = new double[b * c];
    for (int i = 0; i < x.length; i++) {
      int n = i / (h * w * c);
      ref[n * c + i % c] += x[i] / (double) (h * w);
    }
    try (GraphTester g = GraphTester.create()) {
      var in = g.constant(new long[] {b, h, w, c}, x);
      HostTensor flat = g.eval(Pooling.globalAvgPool(g.tf(), in, false));
      HostTensor kept = g.eval(Pooling.globalAvgPool(g.tf(), in, true));
      assertShape(new long[] {b, c}, flat);
      assertShape(new long[] {b, 1, 1, c}, kept);
      assertClose(ref, flat.toFloatArray(), "global avg pool");
      assertClose(ref, kept.toFloatArray(), "global avg pool keepDims");
    }
  }

  @Test
  void pooledSizes() {
    // floor((n + 2p − k)/s) + 1, ceil mode rounds up unless the last window would start in the
    // padding.
    assertEquals(4, Pooling.outSize(8, 3, 2, 1, false));
    assertEquals(5, Pooling.outSize(8, 3, 2, 1, true));
    assertEquals(4, Pooling.outSize(7, 3, 2, 1, true));
    assertEquals(2, Pooling.outSize(6, 3, 2, 0, false));
    assertEquals(3, Pooling.outSize(6, 3, 2, 0, true));
    assertEquals(3, Pooling.outSize(5, 2, 2, 1, true)); // 4 would start at 5 = n: dropped
    assertEquals(56, Pooling.outSize(112, 3, 2, 1, false)); // ResNet stem max-pool
    assertEquals(1, Pooling.outSize(1, 3, 2, 1, true));
  }
}
