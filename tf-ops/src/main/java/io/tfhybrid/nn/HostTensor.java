package io.tfhybrid.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor on the Java heap as a checkpoint stores it: element type, torch shape (row-major,
 * contiguous) and little-endian bytes. Readers produce these; {@link Layout} turns float ones into
 * TensorFlow's layout. Immutable: {@link #data()} returns a read-only view.
 */
public final class HostTensor {
  private final DType dtype;
  private final long[] shape;
  private final ByteBuffer data;

  private HostTensor(DType dtype, long[] shape, ByteBuffer data) {
    this.dtype = dtype;
    this.shape = shape.clone();
    long n = numel(shape);
    Checks.checkArg(
        (long) data.remaining() == n * dtype.byteSize(),
        "HostTensor %s %s needs %s bytes, got %s",
        dtype,
        Checks.shape(shape),
        n * dtype.byteSize(),
        data.remaining());
    this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Wraps little-endian bytes (not copied: the caller hands them over). */
  public static HostTensor of(DType dtype, long[] shape, ByteBuffer littleEndianData) {
    for (long d : shape) {
      Checks.checkArg(d >= 0, "negative dimension in shape %s", Checks.shape(shape));
    }
    return new HostTensor(dtype, shape, littleEndianData);
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

  /** Little-endian bytes, read-only, positioned at 0. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
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
