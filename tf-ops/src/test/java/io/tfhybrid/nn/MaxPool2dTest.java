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
 * {@code nn.MaxPool2d(k, s, p, ceil_mode)}: implicit −∞ padding; ceil-mode windows must start
 * inside.
 */
class MaxPool2dTest {

  /**
   * Output size from the {@code nn.MaxPool2d} docs: {@code floor((n + 2p − k)/s) + 1} (ceil in ceil
   * mode), where a window that would start in the right padding is dropped.
   */
  static int outSize(int n, int k, int s, int p, boolean ceil) {
    int o =
        (ceil ? (int) Math.ceil((n + 2 * p - k) / (double) s) : Math.floorDiv(n + 2 * p - k, s))
            + 1;
    while (ceil && (o - 1) * s - p >= n) { // last window starts at (o−1)s − p: must be < n
      o--;
    }
    return o;
  }

  /** Max over the window cells that lie inside the map (padding never wins). NHWC in and out. */
  static double[] reference(
      float[] x, int b, int h, int w, int c, int k, int s, int p, boolean ceil) {
    int oh = outSize(h, k, s, p, ceil);
    int ow = outSize(w, k, s, p, ceil);
    double[] y = new double[b * oh * ow * c];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int ch = 0; ch < c; ch++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int yy = i * s - p; yy < i * s - p + k; yy++) {
              for (int xx = j * s - p; xx < j * s - p + k; xx++) {
                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                  m = Math.max(m, x[((n * h + yy) * w + xx) * c + ch]);
                }
              }
            }
            y[((n * oh + i) * ow + j) * c + ch] = m;
          }
        }
      }
    }
    return y;
  }

  private static void check(int h, int w, int k, int s, int p, boolean ceil, long seed) {
    int b = 2;
    int c = 3;
    float[] x = TorchRef.uniform(seed, b * h * w * c, -5, -1); // all negative
    HostTensor y = TorchRef.run(MaxPool2d.builder(k).stride(s).padding(p).ceilMode(ceil).build(),
        Map.of(), new long[] {b, h, w, c}, x);
    assertShape(new long[] {b, outSize(h, k, s, p, ceil), outSize(w, k, s, p, ceil), c}, y);
    for (float v : y.toFloatArray()) {
      assertTrue(v < 0, "a padded cell won the max (zero padding?): " + v);
    }
    assertClose(
        reference(x, b, h, w, c, k, s, p, ceil),
        y.toFloatArray(),
        0,
        String.format("maxpool %d/%d/%d ceil=%s on %dx%d", k, s, p, ceil, h, w));
  }

  @ParameterizedTest(name = "3x3/2/1 on {0}x{1}, ceil={2}")
  @CsvSource({
    "8, 8, false",
    "7, 7, false",
    "8, 7, false",
    "1, 1, false",
    "8, 8, true",
    "7, 7, true",
    "6, 6, true",
    "6, 9, true",
    "2, 2, true"
  })
  void threeByThreeStrideTwoPadOneOnNegativeInput(int h, int w, boolean ceil) {
    check(h, w, 3, 2, 1, ceil, h * 31L + w);
  }

  @Test
  void ceilModeWithoutPaddingAndTheStartInsideRule() {
    check(6, 6, 3, 2, 0, true, 1); // ceil adds a partial window: 3 instead of 2
    check(6, 6, 3, 2, 0, false, 2);
    check(5, 5, 2, 2, 1, true, 3); // ceil would give 4, but window 4 would start in the padding
    check(5, 9, 3, 3, 1, true, 4);
    check(5, 5, 2, 2, 0, false, 5);
  }

  @Test
  void outputSizes() {
    assertEquals(4, outSize(8, 3, 2, 1, false));
    assertEquals(5, outSize(8, 3, 2, 1, true));
    assertEquals(3, outSize(6, 3, 2, 0, true));
    assertEquals(2, outSize(6, 3, 2, 0, false));
    assertEquals(3, outSize(5, 2, 2, 1, true));
  }

  @Test
  void handComputedBorder() {
    // 1×3×3×1 map of −1…−9; 3×3/2/1 gives a 2×2 output whose windows all touch padding.
    float[] x = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
    HostTensor y = TorchRef.run(MaxPool2d.builder(3).stride(2).padding(1).build(), Map.of(),
        new long[] {1, 3, 3, 1}, x);
    assertArrayEquals(new float[] {-1, -2, -4, -5}, y.toFloatArray());
  }

  @Test
  void theStrideDefaultsToTheKernelSize() {
    // nn.MaxPool2d(2): stride 2, padding 0, floor mode. On a 1×4×5×1 map of 0..19 the windows
    // are rows {0,1},{2,3} × cols {0,1},{2,3}; column 4 is dropped.
    float[] x = new float[20];
    for (int i = 0; i < 20; i++) {
      x[i] = i;
    }
    HostTensor y = TorchRef.run(MaxPool2d.builder(2).build(), Map.of(), new long[] {1, 4, 5, 1}, x);
    assertArrayEquals(new long[] {1, 2, 2, 1}, y.shape());
    assertArrayEquals(new float[] {6, 8, 16, 18}, y.toFloatArray());
  }

  @Test
  void paddingAboveHalfTheKernelIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TorchRef.run(MaxPool2d.builder(3).stride(2).padding(2).build(), Map.of(),
                new long[] {1, 4, 4, 1}, new float[16]));
    assertThrows(IllegalArgumentException.class, () -> MaxPool2d.builder(0).stride(2).build());
    assertEquals(0, MaxPool2d.builder(3).stride(2).padding(1).build().stateDictSpec().size());
  }
}
