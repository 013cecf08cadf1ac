package io.tfhybrid.nn;

import static io.tfhybrid.nn.GraphTester.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayoutTest {
  @Test
  void asIsKeepsShapeAndData() {
    float[] a = iota(6);
    assertArrayEquals(new long[] {2, 3}, Layout.AS_IS.tfShape(new long[] {2, 3}));
    assertArrayEquals(new long[] {}, Layout.AS_IS.tfShape(new long[] {}));
    assertSame(a, Layout.AS_IS.toTf(a, new long[] {2, 3}));
    assertSame(a, Layout.AS_IS.toTorch(a, new long[] {2, 3}));
  }

  @Test
  void outInTransposesLinearWeight() {
    int out = 3;
    int in = 5;
    long[] torch = {out, in};
    float[] w = iota(out * in);
    assertArrayEquals(new long[] {in, out}, Layout.OUT_IN.tfShape(torch));
    float[] tf = Layout.OUT_IN.toTf(w, torch);
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        assertEquals(w[o * in + i], tf[i * out + o], "W[" + o + "][" + i + "]");
      }
    }
    assertArrayEquals(w, Layout.OUT_IN.toTorch(tf, torch));
  }

  @Test
  void oihwBecomesHwio() {
    int o = 4;
    int i = 3;
    int kh = 2;
    int kw = 5;
    long[] torch = {o, i, kh, kw};
    float[] w = iota(o * i * kh * kw);
    assertArrayEquals(new long[] {kh, kw, i, o}, Layout.OIHW.tfShape(torch));
    float[] tf = Layout.OIHW.toTf(w, torch);
    for (int a = 0; a < o; a++) {
      for (int b = 0; b < i; b++) {
        for (int y = 0; y < kh; y++) {
          for (int x = 0; x < kw; x++) {
            float torchValue = w[((a * i + b) * kh + y) * kw + x];
            assertEquals(torchValue, tf[((y * kw + x) * i + b) * o + a]);
          }
        }
      }
    }
    assertArrayEquals(w, Layout.OIHW.toTorch(tf, torch));
  }

  @ParameterizedTest(name = "multiplier {0}")
  @ValueSource(ints = {1, 2, 3})
  void depthwiseBecomesHwcm(int m) {
    int c = 4;
    int kh = 3;
    int kw = 2;
    long[] torch = {c * m, 1, kh, kw};
    float[] w = iota(c * m * kh * kw);
    assertArrayEquals(new long[] {kh, kw, c, m}, Layout.DEPTHWISE.tfShape(torch, c));
    float[] tf = Layout.DEPTHWISE.toTf(w, torch);
    for (int ch = 0; ch < c; ch++) {
      for (int j = 0; j < m; j++) {
        // PyTorch output channel ch·m + j reads input channel ch (group ch).
        int oc = ch * m + j;
        for (int y = 0; y < kh; y++) {
          for (int x = 0; x < kw; x++) {
            assertEquals(w[(oc * kh + y) * kw + x], tf[((y * kw + x) * c + ch) * m + j]);
          }
        }
      }
    }
    assertArrayEquals(w, Layout.DEPTHWISE.toTorch(tf, torch));
  }

  @Test
  void shapeErrorsAreArgumentErrors() {
    assertThrows(
        IllegalArgumentException.class, () -> Layout.DEPTHWISE.tfShape(new long[] {4, 1, 3, 3}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Layout.DEPTHWISE.tfShape(new long[] {4, 2, 3, 3}, 4));
    assertTrue(e.getMessage().contains("[4, 2, 3, 3]"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Layout.OUT_IN.tfShape(new long[] {4, 2, 3}));
    assertTrue(e.getMessage().contains("[4, 2, 3]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Layout.OIHW.tfShape(new long[] {4, 2}));
  }

  /** numpy {@code transpose(perm)}: {@code out[j_0..j_r] = in[i]} with {@code i[perm[k]] = j_k}. */
  private static float[] referencePermute(float[] a, long[] shape, int[] perm) {
    int rank = shape.length;
    long[] outShape = new long[rank];
    for (int k = 0; k < rank; k++) {
      outShape[k] = shape[perm[k]];
    }
    float[] out = new float[a.length];
    int[] j = new int[rank];
    int[] i = new int[rank];
    for (int flat = 0; flat < a.length; flat++) {
      int rem = flat;
      for (int k = rank - 1; k >= 0; k--) {
        j[k] = (int) (rem % outShape[k]);
        rem /= (int) outShape[k];
      }
      for (int k = 0; k < rank; k++) {
        i[perm[k]] = j[k];
      }
      int src = 0;
      for (int k = 0; k < rank; k++) {
        src = src * (int) shape[k] + i[k];
      }
      out[flat] = a[src];
    }
    return out;
  }

  @Test
  void permuteMatchesIndexArithmetic() {
    long[][] shapes = {{7}, {3, 5}, {2, 3, 4, 5}, {2, 1, 3, 1, 4}, {1, 6, 1}};
    int[][][] perms = {
      {{0}},
      {{0, 1}, {1, 0}},
      {
        {0, 1, 2, 3},
        {3, 2, 1, 0},
        {0, 2, 3, 1},
        {0, 3, 1, 2},
        {2, 3, 1, 0},
        {3, 2, 0, 1},
        {1, 0, 3, 2}
      },
      {{4, 0, 3, 1, 2}, {1, 3, 0, 4, 2}, {0, 1, 2, 3, 4}},
      {{2, 0, 1}, {1, 2, 0}},
    };
    for (int s = 0; s < shapes.length; s++) {
      int n = Math.toIntExact(HostTensor.numel(shapes[s]));
      float[] a = iota(n);
      for (int[] perm : perms[s]) {
        assertArrayEquals(
            referencePermute(a, shapes[s], perm),
            Layout.permute(a, shapes[s], perm),
            "permute " + Checks.shape(shapes[s]) + " by " + java.util.Arrays.toString(perm));
      }
    }
  }

  @Test
  void permuteOfEmptyTensorIsEmpty() {
    assertEquals(0, Layout.permute(new float[0], new long[] {2, 0, 3}, new int[] {2, 1, 0}).length);
  }
}
