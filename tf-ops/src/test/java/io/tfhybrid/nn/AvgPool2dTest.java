package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code nn.AvgPool2d(k, s, p, ceil_mode, count_include_pad)} against a naive reference of
 * PyTorch's divisor rule: the window is clipped to {@code [−p, n + p)} (ceil-mode overhang beyond
 * the right padding never counts); with {@code count_include_pad} the divisor is the clipped
 * window's area, otherwise the number of real cells in it.
 */
class AvgPool2dTest {

  static double[] reference(
      float[] x,
      int b,
      int h,
      int w,
      int c,
      int k,
      int s,
      int p,
      boolean ceil,
      boolean includePad) {
    int oh = MaxPool2dTest.outSize(h, k, s, p, ceil);
    int ow = MaxPool2dTest.outSize(w, k, s, p, ceil);
    double[] y = new double[b * oh * ow * c];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < oh; i++) {
        int y0 = i * s - p;
        int y1 = Math.min(y0 + k, h + p);
        for (int j = 0; j < ow; j++) {
          int x0 = j * s - p;
          int x1 = Math.min(x0 + k, w + p);
          for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            int real = 0;
            for (int yy = y0; yy < y1; yy++) {
              for (int xx = x0; xx < x1; xx++) {
                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                  sum += x[((n * h + yy) * w + xx) * c + ch];
                  real++;
                }
              }
            }
            int divisor = includePad ? (y1 - y0) * (x1 - x0) : real;
            y[((n * oh + i) * ow + j) * c + ch] = sum / divisor;
          }
        }
      }
    }
    return y;
  }

  private static void check(
      int h, int w, int k, int s, int p, boolean ceil, boolean includePad, long seed) {
    int b = 2;
    int c = 3;
    float[] x = TorchRef.uniform(seed, b * h * w * c, 0.5, 2); // positive: padding visibly dilutes
    HostTensor y =
        TorchRef.run(
            AvgPool2d.builder(k).stride(s).padding(p).ceilMode(ceil).countIncludePad(includePad)
                .build(),
            Map.of(), new long[] {b, h, w, c}, x);
    assertShape(
        new long[] {
          b, MaxPool2dTest.outSize(h, k, s, p, ceil), MaxPool2dTest.outSize(w, k, s, p, ceil), c
        },
        y);
    assertClose(
        reference(x, b, h, w, c, k, s, p, ceil, includePad),
        y.toFloatArray(),
        String.format(
            "avgpool %d/%d/%d ceil=%s include_pad=%s on %dx%d", k, s, p, ceil, includePad, h, w));
  }

  @ParameterizedTest(name = "{2}/{3}/{4} ceil={5} include_pad={6} on {0}x{1}")
  @CsvSource({
    "8, 8, 3, 2, 1, false, true",
    "8, 8, 3, 2, 1, false, false",
    "7, 7, 3, 2, 1, false, true",
    "7, 7, 3, 2, 1, false, false",
    "8, 8, 3, 2, 1, true, true",
    "8, 8, 3, 2, 1, true, false",
    "6, 9, 3, 2, 1, true, true",
    "6, 9, 3, 2, 1, true, false",
    "6, 6, 3, 2, 0, true, true",
    "6, 6, 3, 2, 0, true, false",
    "5, 5, 2, 2, 1, true, true",
    "5, 5, 2, 2, 1, true, false",
    "7, 5, 3, 1, 1, false, false",
    "7, 5, 3, 1, 1, false, true",
    "5, 5, 2, 2, 0, false, true",
    "9, 9, 3, 3, 0, false, false",
    "4, 4, 4, 2, 2, true, false"
  })
  void matchesDivisorRule(int h, int w, int k, int s, int p, boolean ceil, boolean includePad) {
    check(h, w, k, s, p, ceil, includePad, h * 1000L + w * 100 + k * 10 + s + p);
  }

  @Test
  void handComputedDivisors() {
    // 3×3 ones, k2/s2/p1: corner windows hold 1 real cell, edge windows 2, the centre window 4.
    float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    HostTensor incl =
        TorchRef.run(AvgPool2d.builder(2).padding(1).build(), Map.of(),
            new long[] {1, 3, 3, 1}, ones);
    assertArrayEquals(new float[] {0.25f, 0.5f, 0.5f, 1}, incl.toFloatArray());
    HostTensor excl =
        TorchRef.run(AvgPool2d.builder(2).padding(1).countIncludePad(false).build(),
            Map.of(), new long[] {1, 3, 3, 1}, ones);
    assertArrayEquals(new float[] {1, 1, 1, 1}, excl.toFloatArray());
    // ceil mode without padding, include_pad: 3×3 ones, k2/s2 → windows [0,2) and [2,3): the
    // overhang cell is outside [−p, n + p) and never counts, so every output is exactly 1.
    HostTensor ceil =
        TorchRef.run(AvgPool2d.builder(2).ceilMode(true).build(), Map.of(),
            new long[] {1, 3, 3, 1}, ones);
    assertArrayEquals(new float[] {1, 1, 1, 1}, ceil.toFloatArray());
  }

  @Test
  void defaultsAreFloorNoPaddingIncludePad() {
    float[] x = TorchRef.uniform(9, 5 * 5, -1, 1);
    HostTensor y = TorchRef.run(AvgPool2d.builder(2).build(), Map.of(), new long[] {1, 5, 5, 1}, x);
    assertClose(
        reference(x, 1, 5, 5, 1, 2, 2, 0, false, true), y.toFloatArray(), "AvgPool2d(2, 2)");
    assertEquals(0, AvgPool2d.builder(2).build().stateDictSpec().size());
  }

  @Test
  void paddingAboveHalfTheKernelIsRejected() {
    // PyTorch refuses it; without the check the window [−3, −1) of k3/s1/p3 would divide 0 by 0.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TorchRef.run(
                    AvgPool2d.builder(3).stride(1).padding(3).countIncludePad(false).build(),
                    Map.of(),
                    new long[] {1, 4, 4, 1},
                    new float[16]));
    assertTrue(e.getMessage().contains("pad 3"), e.getMessage());
  }
}
