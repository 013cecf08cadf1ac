package io.tfhybrid.nn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;

/**
 * How a checkpoint tensor (torch layout) maps onto its TensorFlow variable. This enum is the only
 * code that transposes weights, once, on the host, at load time: {@link #writeTf} moves a tensor's
 * bytes into the memory of a TF tensor in one pass (a straight copy from the file when the bytes
 * are already in TF order, one permuting pass otherwise).
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

  /**
   * The torch axes in the order TF's layout stores them: every layout is a permutation of the
   * torch axes followed by a reshape ({@link #DEPTHWISE}'s {@code [C·m, 1, kh, kw]} permuted to
   * {@code [kh, kw, 1, C·m]} has the bytes of {@code [kh, kw, C, m]}).
   */
  public int[] tfAxisOrder(int rank) {
    return switch (this) {
      case AS_IS -> identity(rank);
      case OUT_IN -> {
        Checks.checkArg(rank == 2, "OUT_IN needs a rank-2 tensor, found rank %s", rank);
        yield new int[] {1, 0};
      }
      case OIHW, DEPTHWISE -> {
        Checks.checkArg(rank == 4, "%s needs a rank-4 tensor, found rank %s", this, rank);
        yield new int[] {2, 3, 1, 0};
      }
    };
  }

  /**
   * The torch tensor {@code torchShape} whose bytes are {@code tfBytes}, in this layout's TF order
   * (a variable read from a SavedModel): a {@link HostTensor#permutedView}, so nothing is moved
   * and {@link #writeTf} copies the bytes straight back.
   */
  public HostTensor torchView(DType dtype, long[] torchShape, ByteBuffer tfBytes) {
    int[] order = tfAxisOrder(torchShape.length);
    long[] stored = new long[order.length];
    int[] inverse = new int[order.length];
    for (int j = 0; j < order.length; j++) {
      stored[j] = torchShape[order[j]];
      inverse[order[j]] = j;
    }
    return HostTensor.of(dtype, stored, tfBytes).permutedView(inverse);
  }

  /**
   * Writes {@code t} (torch shape as declared, any floating dtype) into {@code dst}, the memory of
   * a float32 TF tensor of this layout's TF shape. Bytes already in TF order (an AS_IS tensor in
   * torch order, a tensor tagged with TF's order) go straight from the storage — the file, for a
   * lazy tensor — into {@code dst}; anything else is rearranged and widened in one pass.
   *
   * @throws IOException when a lazy tensor's file cannot be read as it was parsed
   */
  public void writeTf(HostTensor t, ByteDataBuffer dst) throws IOException {
    writeTf(t, dst, new HostTensor.Scratch());
  }

  /** As {@link #writeTf(HostTensor, ByteDataBuffer)}, with buffers reused across tensors. */
  void writeTf(HostTensor t, ByteDataBuffer dst, HostTensor.Scratch scratch) throws IOException {
    long[] torch = t.shape();
    long bytes = t.numel() * 4;
    Checks.checkArg(dst.size() == bytes, "TF tensor of %s bytes for %s %s", dst.size(),
        t.dtype().torchName(), Checks.shape(torch));
    int[] want = tfAxisOrder(torch.length);
    int[] have = t.storedOrder();
    if (t.dtype() == DType.F32 && sameMemoryOrder(want, have, torch)) {
      copyStored(t, dst, bytes, scratch);
      return;
    }
    // Stored stride of each torch axis, then of each TF axis.
    long[] storedStrides = strides(t.storedShape());
    long[] torchStrides = new long[torch.length];
    for (int j = 0; j < have.length; j++) {
      torchStrides[have[j]] = storedStrides[j];
    }
    long[] tfShape = new long[torch.length];
    long[] tfStrides = new long[torch.length];
    for (int i = 0; i < want.length; i++) {
      tfShape[i] = torch[want[i]];
      tfStrides[i] = torchStrides[want[i]];
    }
    ByteBuffer src = t.storedBytes(scratch);
    FloatBuffer f32 = t.dtype() == DType.F32 ? src.asFloatBuffer() : null;
    DType dtype = t.dtype();
    FloatDataBuffer out = dst.asFloats();
    float[] chunk = scratch.floats;
    int fill = 0;
    long written = 0;
    // Row-major walk over the TF shape; the innermost axis is the hot loop.
    int rank = tfShape.length;
    long n = t.numel();
    long inner = rank == 0 ? 1 : tfShape[rank - 1];
    long innerStride = rank == 0 ? 0 : tfStrides[rank - 1];
    long[] idx = new long[rank];
    long base = 0;
    for (long o = 0; o < n; o += inner) {
      long s = base;
      for (long k = 0; k < inner; k++, s += innerStride) {
        chunk[fill++] = f32 != null ? f32.get((int) s) : widen(src, dtype, (int) s);
        if (fill == chunk.length) {
          out.offset(written).write(chunk, 0, fill);
          written += fill;
          fill = 0;
        }
      }
      base = nextRow(idx, tfShape, tfStrides, base);
    }
    if (fill > 0) {
      out.offset(written).write(chunk, 0, fill);
    }
  }

  /**
   * Writes an int64 tensor (torch order, any integer dtype) into {@code dst}, the memory of an
   * int64 TF tensor: int64 bytes straight from the storage, narrower integers widened.
   */
  public static void writeTfLongs(HostTensor t, ByteDataBuffer dst) throws IOException {
    writeTfLongs(t, dst, new HostTensor.Scratch());
  }

  static void writeTfLongs(HostTensor t, ByteDataBuffer dst, HostTensor.Scratch scratch)
      throws IOException {
    Checks.checkArg(dst.size() == t.numel() * 8, "TF tensor of %s bytes for %s %s", dst.size(),
        t.dtype().torchName(), Checks.shape(t.shape()));
    if (t.dtype() == DType.I64 && t.isTorchOrder()) {
      copyStored(t, dst, dst.size(), scratch);
    } else {
      dst.asLongs().write(t.toLongArray());
    }
  }

  private static void copyStored(HostTensor t, ByteDataBuffer dst, long bytes,
      HostTensor.Scratch scratch) throws IOException {
    long[] at = {0};
    t.readStored(scratch, (buf, off, len) -> {
      Checks.checkState(len <= bytes - at[0], "storage passed more than %s bytes", bytes);
      dst.offset(at[0]).write(buf, off, len);
      at[0] += len;
    });
    Checks.checkState(at[0] == bytes, "storage passed %s of %s bytes", at[0], bytes);
  }

  private static float widen(ByteBuffer src, DType dtype, int i) {
    return switch (dtype) {
      case F16 -> HostTensor.halfToFloat(src.getShort(2 * i));
      case BF16 -> Float.intBitsToFloat((src.getShort(2 * i) & 0xffff) << 16);
      case F64 -> (float) src.getDouble(8 * i);
      default -> throw new IllegalArgumentException(
          "tensor of type " + dtype.torchName() + " cannot be read as float32");
    };
  }

  /** Whether two axis orders lay the bytes out alike (axes of size 1 do not count). */
  static boolean sameMemoryOrder(int[] a, int[] b, long[] torch) {
    int i = 0;
    int j = 0;
    while (true) {
      while (i < a.length && torch[a[i]] == 1) {
        i++;
      }
      while (j < b.length && torch[b[j]] == 1) {
        j++;
      }
      if (i == a.length || j == b.length) {
        return i == a.length && j == b.length;
      }
      if (a[i++] != b[j++]) {
        return false;
      }
    }
  }

  /** Visits a row-major walk over {@code shape}: (output index, source index by {@code strides}). */
  @FunctionalInterface
  interface IndexVisitor {
    void visit(long out, long src);
  }

  static void walk(long[] shape, long[] strides, IndexVisitor v) {
    int rank = shape.length;
    long n = HostTensor.numel(shape);
    if (n == 0) {
      return;
    }
    if (rank == 0) {
      v.visit(0, 0);
      return;
    }
    long inner = shape[rank - 1];
    long innerStride = strides[rank - 1];
    long[] idx = new long[rank];
    long src = 0;
    for (long o = 0; o < n; o += inner) {
      long s = src;
      for (long k = 0; k < inner; k++, s += innerStride) {
        v.visit(o + k, s);
      }
      src = nextRow(idx, shape, strides, src);
    }
  }

  /**
   * Advances a row-major walk by one innermost row: increments the index of the outer axes
   * ({@code idx}, all but the last) and returns the source offset of the next row's first element.
   */
  private static long nextRow(long[] idx, long[] shape, long[] strides, long rowStart) {
    long src = rowStart;
    for (int ax = shape.length - 2; ax >= 0; ax--) {
      idx[ax]++;
      src += strides[ax];
      if (idx[ax] < shape[ax]) {
        break;
      }
      src -= strides[ax] * shape[ax];
      idx[ax] = 0;
    }
    return src;
  }

  private static int[] identity(int rank) {
    int[] id = new int[rank];
    for (int i = 0; i < rank; i++) {
      id[i] = i;
    }
    return id;
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
    walk(outShape, strideForOut, (o, src) -> out[(int) o] = a[(int) src]);
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
