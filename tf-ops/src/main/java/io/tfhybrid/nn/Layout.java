package io.tfhybrid.nn;

/**
 * How a checkpoint tensor (torch layout) maps onto its TensorFlow variable. This enum is the only
 * code that transposes weights, once, on the host, at load time.
 */
public enum Layout {
  /** Any shape, same element order in both frameworks (vectors, class tokens, PE, tables). */
  AS_IS,
  /** {@code nn.Linear} weight {@code [out, in]} → {@code [in, out]} for {@code x · W}. */
  OUT_IN,
  /** {@code nn.Conv2d} weight OIHW {@code [out, in/groups, kh, kw]} → HWIO {@code [kh, kw, in/groups, out]}. */
  OIHW,
  /**
   * Depthwise {@code nn.Conv2d} weight {@code [C·m, 1, kh, kw]} → TF depthwise filter
   * {@code [kh, kw, C, m]} (channel multiplier m; PyTorch output channel {@code c·m + j}).
   */
  DEPTHWISE;

  /** The TF shape of a tensor whose torch shape is {@code torch}. */
  public long[] tfShape(long[] torch, long groupsOrChannels) {
    return switch (this) {
      case AS_IS -> torch.clone();
      case OUT_IN -> {
        requireRank(torch, 2);
        yield new long[] {torch[1], torch[0]};
      }
      case OIHW -> {
        requireRank(torch, 4);
        yield new long[] {torch[2], torch[3], torch[1], torch[0]};
      }
      case DEPTHWISE -> {
        requireRank(torch, 4);
        Checks.checkArg(torch[1] == 1, "depthwise weight must be [C*m, 1, kh, kw], found %s",
            Checks.shape(torch));
        long c = groupsOrChannels;
        yield new long[] {torch[2], torch[3], c, torch[0] / c};
      }
    };
  }

  /** The TF shape for layouts that need no extra information (all but DEPTHWISE). */
  public long[] tfShape(long[] torch) {
    Checks.checkArg(this != DEPTHWISE, "DEPTHWISE needs the channel count");
    return tfShape(torch, 0);
  }

  /**
   * Rearranges {@code data} (torch layout, row-major, shape {@code torch}) into TF layout.
   * For {@link #DEPTHWISE} the [C·m,1,kh,kw] → [kh,kw,C,m] permutation is exactly
   * "move the leading axis last", independent of m.
   */
  public float[] toTf(float[] data, long[] torch) {
    return switch (this) {
      case AS_IS -> data;
      case OUT_IN -> transpose2d(data, (int) torch[0], (int) torch[1]);
      case OIHW -> permute(data, torch, new int[] {2, 3, 1, 0});
      case DEPTHWISE -> transpose2d(data, (int) torch[0], (int) (torch[2] * torch[3]));
    };
  }

  /** Inverse of {@link #toTf}: TF layout back to torch layout (for export/import round trips). */
  public float[] toTorch(float[] tfData, long[] torch) {
    return switch (this) {
      case AS_IS -> tfData;
      case OUT_IN -> transpose2d(tfData, (int) torch[1], (int) torch[0]);
      case OIHW -> {
        long[] hwio = {torch[2], torch[3], torch[1], torch[0]};
        yield permute(tfData, hwio, new int[] {3, 2, 0, 1});
      }
      case DEPTHWISE -> transpose2d(tfData, (int) (torch[2] * torch[3]), (int) torch[0]);
    };
  }

  private static void requireRank(long[] shape, int rank) {
    Checks.checkArg(shape.length == rank, "expected a rank-%s torch shape, found %s", rank,
        Checks.shape(shape));
  }

  /** [rows, cols] → [cols, rows]. */
  static float[] transpose2d(float[] a, int rows, int cols) {
    float[] out = new float[a.length];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = a[base + c];
      }
    }
    return out;
  }

  /**
   * General row-major permutation: output axis {@code i} is input axis {@code perm[i]} (numpy
   * {@code transpose(perm)} semantics).
   */
  public static float[] permute(float[] a, long[] shape, int[] perm) {
    int rank = shape.length;
    long[] outShape = new long[rank];
    for (int i = 0; i < rank; i++) {
      outShape[i] = shape[perm[i]];
    }
    long[] inStrides = strides(shape);
    long[] strideForOut = new long[rank];
    for (int i = 0; i < rank; i++) {
      strideForOut[i] = inStrides[perm[i]];
    }
    float[] out = new float[a.length];
    int[] idx = new int[rank];
    long src = 0;
    for (int o = 0; o < out.length; o++) {
      out[o] = a[(int) src];
      for (int ax = rank - 1; ax >= 0; ax--) {
        idx[ax]++;
        src += strideForOut[ax];
        if (idx[ax] < outShape[ax]) {
          break;
        }
        src -= strideForOut[ax] * outShape[ax];
        idx[ax] = 0;
      }
    }
    return out;
  }

  static long[] strides(long[] shape) {
    long[] s = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }
}
