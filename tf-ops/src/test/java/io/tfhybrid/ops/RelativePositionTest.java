package io.tfhybrid.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The relative-position index against the spec's worked examples, and the load-time gather. */
class RelativePositionTest {

  private static long[] row(long[] idx, int n, int a) {
    return Arrays.copyOfRange(idx, a * n, (a + 1) * n);
  }

  @Test
  void twoByTwoWorkedExample() {
    long[] idx = RelativePosition.index(2, 2);
    assertEquals(16, idx.length);
    assertArrayEquals(new long[] {4, 3, 1, 0}, row(idx, 4, 0));
    assertArrayEquals(new long[] {5, 4, 2, 1}, row(idx, 4, 1));
    assertArrayEquals(new long[] {7, 6, 4, 3}, row(idx, 4, 2));
    assertArrayEquals(new long[] {8, 7, 5, 4}, row(idx, 4, 3));
    assertEquals(9, RelativePosition.tableRows(2, 2));
  }

  @Test
  void twoByThreeWorkedExample() {
    long[] idx = RelativePosition.index(2, 3);
    assertEquals(36, idx.length);
    assertArrayEquals(new long[] {7, 6, 5, 2, 1, 0}, row(idx, 6, 0));
    assertArrayEquals(new long[] {8, 7, 6, 3, 2, 1}, row(idx, 6, 1));
    assertEquals(15, RelativePosition.tableRows(2, 3));
  }

  @Test
  void generalProperties() {
    for (int[] hw : new int[][] {{1, 1}, {3, 3}, {2, 5}, {4, 3}, {7, 7}}) {
      int h = hw[0];
      int w = hw[1];
      int n = h * w;
      long[] idx = RelativePosition.index(h, w);
      int rows = RelativePosition.tableRows(h, w);
      long centre = (long) (h - 1) * (2 * w - 1) + (w - 1); // zero offset
      boolean[] used = new boolean[rows];
      for (int a = 0; a < n; a++) {
        assertEquals(centre, idx[a * n + a], "diagonal");
        for (int b = 0; b < n; b++) {
          long r = idx[a * n + b];
          // Opposite offsets mirror around the centre.
          assertEquals(2 * centre - r, idx[b * n + a]);
          used[(int) r] = true;
        }
      }
      for (int r = 0; r < rows; r++) {
        assertEquals(true, used[r], "table row " + r + " of " + h + "x" + w + " unused");
      }
    }
  }

  @Test
  void gatherBiasBuildsHeadsByNByN() {
    int h = 2;
    int w = 2;
    int heads = 3;
    int n = h * w;
    int rows = RelativePosition.tableRows(h, w);
    float[] table = new float[rows * heads]; // torch [rows, heads]: table[r, e] = 10r + e
    for (int r = 0; r < rows; r++) {
      for (int e = 0; e < heads; e++) {
        table[r * heads + e] = 10 * r + e;
      }
    }
    long[] idx = RelativePosition.index(h, w);
    float[] bias = RelativePosition.gatherBias(table, heads, idx, n);
    assertEquals(heads * n * n, bias.length);
    for (int e = 0; e < heads; e++) {
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          assertEquals(10 * idx[a * n + b] + e, bias[(e * n + a) * n + b], 0f);
        }
      }
    }
    // Spot checks against the worked example: bias[e=2, a=1, b=2] = table[2, 2] = 22.
    assertEquals(22f, bias[(2 * n + 1) * n + 2]);
    assertEquals(40f, bias[0]); // bias[0, 0, 0] = table[4, 0]
  }

  @Test
  void gatherRejectsBadIndices() {
    float[] table = new float[9 * 2];
    assertThrows(
        IllegalArgumentException.class,
        () -> RelativePosition.gatherBias(table, 2, new long[] {0, 1, 2}, 2));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RelativePosition.gatherBias(table, 2, new long[] {0, 1, 9, 3}, 2));
    assertEquals(true, e.getMessage().contains("9"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RelativePosition.gatherBias(table, 2, new long[] {0, -1, 2, 3}, 2));
  }
}
