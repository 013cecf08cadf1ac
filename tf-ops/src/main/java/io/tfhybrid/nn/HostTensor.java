package io.tfhybrid.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as a checkpoint stores it: element type, torch shape and little-endian bytes. Readers
 * produce these; {@link Layout} writes float ones into TensorFlow variables. Immutable.
 *
 * <p>The bytes are either on the heap or left in the file ({@link #lazy}: a {@link Storage} reads
 * them when they are needed, so a state dict of a multi-GB checkpoint holds no tensor data). They
 * are row-major in torch axis order, or in another axis order ({@link #permutedView}): a tensor
 * that arrives in TensorFlow's layout (a Keras kernel {@code [kh, kw, in, out]}, a SavedModel
 * variable) keeps its bytes as they are and is tagged with the order, so loading it into a TF
 * variable moves no element. {@link #data()} and the {@code to*Array} methods always give torch
 * order.
 */
public final class HostTensor {
  /**
   * Where the bytes of a {@link #lazy} tensor are. {@link #read} passes them in order, in chunks,
   * and throws a checkpoint format error (an {@link IOException}) naming the file, byte offset and
   * tensor when they cannot be read as they were when the file was parsed.
   */
  public interface Storage {
    /**
     * Passes every byte of the tensor, in order, to {@code sink}, reading through {@code buffer}
     * (any non-empty length; callers reuse one across tensors so nothing per tensor is allocated).
     */
    void read(byte[] buffer, ChunkSink sink) throws IOException;
  }

  /** The read buffer of {@link Storage#read} and the reused arrays of {@link Layout#writeTf}. */
  static final class Scratch {
    final byte[] chunk = new byte[1 << 20];
    final float[] floats = new float[1 << 16];
    byte[] whole = new byte[0];

    /** A buffer of at least {@code n} bytes, reused across calls. */
    byte[] whole(int n) {
      if (whole.length < n) {
        whole = new byte[n];
      }
      return whole;
    }
  }

  /** Receives the bytes of a tensor in order: {@code buf[off, off + len)}. */
  @FunctionalInterface
  public interface ChunkSink {
    void accept(byte[] buf, int off, int len);
  }

  private final DType dtype;
  private final long[] shape;
  private final ByteBuffer data; // null when lazy
  private final Storage storage; // null when on the heap
  private final int[] order; // stored axis j is torch axis order[j]; null: torch order

  private HostTensor(DType dtype, long[] shape, ByteBuffer data, Storage storage, int[] order) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.order = order;
    this.storage = storage;
    long n = numel(shape);
    if (data != null) {
      Checks.checkArg(
          (long) data.remaining() == n * dtype.byteSize(),
          "HostTensor %s %s needs %s bytes, got %s",
          dtype,
          Checks.shape(shape),
          n * dtype.byteSize(),
          data.remaining());
      this.data =
          data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    } else {
      this.data = null;
    }
  }

  /** Wraps little-endian bytes (not copied: the caller hands them over). */
  public static HostTensor of(DType dtype, long[] shape, ByteBuffer littleEndianData) {
    checkShape(shape);
    return new HostTensor(dtype, shape, littleEndianData, null, null);
  }

  /**
   * A tensor whose {@code numel × dtype size} bytes stay where {@code storage} reads them from
   * until they are needed (a region of a checkpoint file).
   */
  public static HostTensor lazy(DType dtype, long[] shape, Storage storage) {
    checkShape(shape);
    Checks.checkArg(storage != null, "lazy tensor %s without a storage", Checks.shape(shape));
    numel(shape);
    return new HostTensor(dtype, shape, null, storage, null);
  }

  private static void checkShape(long[] shape) {
    for (long d : shape) {
      Checks.checkArg(d >= 0, "negative dimension in shape %s", Checks.shape(shape));
    }
  }

  public static HostTensor ofFloats(long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return of(DType.F32, shape, b);
  }

  public static HostTensor ofLongs(long[] shape, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return of(DType.I64, shape, b);
  }

  /**
   * numpy's {@code transpose(perm)} without moving a byte: the result has shape {@code
   * shape[perm[i]]} and the same bytes, tagged with their axis order. A Keras kernel {@code [kh,
   * kw, in, out]} viewed with {@code (3, 2, 0, 1)} is the torch weight {@code [out, in, kh, kw]}
   * whose bytes are already in TensorFlow's HWIO order.
   */
  public HostTensor permutedView(int... perm) {
    Checks.checkArg(isPermutation(perm, shape.length), "%s is not a permutation of the %s axes of %s",
        Arrays.toString(perm), shape.length, Checks.shape(shape));
    long[] viewShape = new long[shape.length];
    int[] viewOrder = new int[shape.length];
    int[] inverse = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      viewShape[i] = shape[perm[i]];
      inverse[perm[i]] = i;
    }
    // Stored axis j was this tensor's axis order()[j], which is view axis inverse[...].
    int[] mine = storedOrder();
    for (int j = 0; j < viewOrder.length; j++) {
      viewOrder[j] = inverse[mine[j]];
    }
    return new HostTensor(dtype, viewShape, data, storage, isIdentity(viewOrder) ? null : viewOrder);
  }

  private static boolean isPermutation(int[] perm, int rank) {
    if (perm.length != rank) {
      return false;
    }
    boolean[] seen = new boolean[rank];
    for (int p : perm) {
      if (p < 0 || p >= rank || seen[p]) {
        return false;
      }
      seen[p] = true;
    }
    return true;
  }

  static boolean isIdentity(int[] order) {
    for (int i = 0; i < order.length; i++) {
      if (order[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** Stored axis j is torch axis {@code storedOrder()[j]} (the identity for torch order). */
  int[] storedOrder() {
    if (order != null) {
      return order.clone();
    }
    int[] id = new int[shape.length];
    for (int i = 0; i < id.length; i++) {
      id[i] = i;
    }
    return id;
  }

  /** The shape of the stored bytes: the torch shape in {@link #storedOrder()}. */
  long[] storedShape() {
    int[] o = storedOrder();
    long[] s = new long[o.length];
    for (int j = 0; j < o.length; j++) {
      s[j] = shape[o[j]];
    }
    return s;
  }

  /** True when the bytes are in torch order (not a {@link #permutedView}). */
  public boolean isTorchOrder() {
    return order == null;
  }

  /** True when the bytes are still in the file ({@link #lazy}). */
  public boolean isLazy() {
    return storage != null;
  }

  /** Passes the stored bytes in order to {@code sink}, reading them from the file if lazy. */
  void readStored(Scratch scratch, ChunkSink sink) throws IOException {
    if (storage != null) {
      storage.read(scratch.chunk, sink);
      return;
    }
    ByteBuffer b = data.duplicate();
    if (b.hasArray()) {
      sink.accept(b.array(), b.arrayOffset() + b.position(), b.remaining());
      return;
    }
    byte[] chunk = scratch.chunk;
    while (b.hasRemaining()) {
      int n = Math.min(chunk.length, b.remaining());
      b.get(chunk, 0, n);
      sink.accept(chunk, 0, n);
    }
  }

  /** The stored bytes on the heap, little-endian, positioned at 0 (read from the file if lazy). */
  ByteBuffer storedBytes() {
    try {
      return storedBytes(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * As {@link #storedBytes()}; a lazy tensor is read into {@code scratch}'s reused array (valid
   * until its next use) when {@code scratch} is given.
   */
  ByteBuffer storedBytes(Scratch scratch) throws IOException {
    if (data != null) {
      return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
    long n = numel() * dtype.byteSize();
    Checks.checkArg(n <= Integer.MAX_VALUE - 16, "tensor %s %s is %s bytes; over 2 GiB is not supported",
        dtype.torchName(), Checks.shape(shape), n);
    Scratch use = scratch == null ? new Scratch() : scratch;
    byte[] out = scratch == null ? new byte[(int) n] : scratch.whole((int) n);
    int[] at = {0};
    storage.read(use.chunk, (buf, off, len) -> {
      Checks.checkState(len <= n - at[0], "storage passed more than %s bytes", n);
      System.arraycopy(buf, off, out, at[0], len);
      at[0] += len;
    });
    Checks.checkState(at[0] == n, "storage passed %s of %s bytes", at[0], n);
    return ByteBuffer.wrap(out, 0, (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  public DType dtype() {
    return dtype;
  }

  /** Torch shape (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long numel() {
    return numel(shape);
  }

  /**
   * Little-endian bytes in torch order, read-only, positioned at 0. A {@link #lazy} tensor reads
   * them from its file (an {@link UncheckedIOException} wraps a read error) and a {@link
   * #permutedView} rearranges them, each call anew: loaders use {@link Layout#writeTf}.
   */
  public ByteBuffer data() {
    ByteBuffer stored = storedBytes();
    if (order == null) {
      return stored;
    }
    int es = dtype.byteSize();
    byte[] out = new byte[stored.remaining()];
    // Torch axis i has stride strides(stored)[position of i in order] in the stored bytes.
    long[] storedStrides = Layout.strides(storedShape());
    long[] torchStrides = new long[shape.length];
    for (int j = 0; j < order.length; j++) {
      torchStrides[order[j]] = storedStrides[j];
    }
    Layout.walk(shape, torchStrides, (o, src) ->
        stored.get((int) (src * es), out, (int) (o * es), es));
    return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The values as float32, widening fp16/bf16 exactly and rounding fp64 to nearest. */
  public float[] toFloatArray() {
    int n = Math.toIntExact(numel());
    float[] out = new float[n];
    ByteBuffer b = data();
    switch (dtype) {
      case F32 -> b.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = halfToFloat(b.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
        }
      }
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(8 * i);
        }
      }
      default -> throw new IllegalArgumentException(
          "tensor of type " + dtype.torchName() + " cannot be read as float32");
    }
    return out;
  }

  /** The values as int64 (integer types only). */
  public long[] toLongArray() {
    int n = Math.toIntExact(numel());
    long[] out = new long[n];
    ByteBuffer b = data();
    switch (dtype) {
      case I64 -> b.asLongBuffer().get(out);
      case I32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
      }
      case I16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getShort(2 * i);
        }
      }
      case I8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.get(i);
        }
      }
      case U8, BOOL -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.get(i) & 0xff;
        }
      }
      default -> throw new IllegalArgumentException(
          "tensor of type " + dtype.torchName() + " cannot be read as int64");
    }
    return out;
  }

  /** IEEE 754 binary16 → float32, exact (subnormals, infinities and NaN included). */
  public static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal (or zero): mant · 2^-24
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Same dtype, shape and bytes. */
  public boolean contentEquals(HostTensor other) {
    return dtype == other.dtype && Arrays.equals(shape, other.shape) && data().equals(other.data());
  }

  @Override
  public String toString() {
    return dtype.torchName() + Checks.shape(shape);
  }
}
