package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;

/**
 * Swin-style relative-position bias tables, computed on the host. Tokens are numbered row-major
 * {@code n = r·w + c}; the index of (query a, key b) is
 * {@code (r_a − r_b + h − 1)·(2w − 1) + (c_a − c_b + w − 1)} (row offset times the width term),
 * the formula of both ConTNet and the CoAtNet reference.
 */
public final class RelativePosition {
  private RelativePosition() {}

  /** The {@code [h·w, h·w]} index, row-major (query major, key minor). */
  public static long[] index(int h, int w) {
    int n = h * w;
    long[] idx = new long[n * n];
    for (int a = 0; a < n; a++) {
      int ra = a / w;
      int ca = a % w;
      for (int b = 0; b < n; b++) {
        int rb = b / w;
        int cb = b % w;
        idx[a * n + b] = (long) (ra - rb + h - 1) * (2 * w - 1) + (ca - cb + w - 1);
      }
    }
    return idx;
  }

  /** Rows of the table: {@code (2h − 1)(2w − 1)}. */
  public static int tableRows(int h, int w) {
    return (2 * h - 1) * (2 * w - 1);
  }

  /**
   * Gathers {@code bias[e, a, b] = table[index[a·N + b], e]} from a {@code [rows, heads]} table
   * into a {@code [heads, N, N]} array: done once at load time, so no per-call gather remains.
   */
  public static float[] gatherBias(float[] table, int heads, long[] index, int n) {
    Checks.checkArg(index.length == (long) n * n, "index has %s entries, expected %s", index.length,
        (long) n * n);
    int rows = table.length / heads;
    float[] out = new float[heads * n * n];
    for (int ab = 0; ab < n * n; ab++) {
      long r = index[ab];
      Checks.checkArg(r >= 0 && r < rows, "relative index %s out of range [0, %s)", r, rows);
      for (int e = 0; e < heads; e++) {
        out[e * n * n + ab] = table[(int) r * heads + e];
      }
    }
    return out;
  }
}
