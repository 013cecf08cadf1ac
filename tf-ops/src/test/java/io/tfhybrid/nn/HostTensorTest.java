package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** HostTensor: fp16/bf16/fp64 widening to float32, integer widening, validation. */
class HostTensorTest {

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static HostTensor shorts(DType dtype, int... bits) {
    ByteBuffer b = le(2 * bits.length);
    for (int v : bits) {
      b.putShort((short) v);
    }
    return HostTensor.of(dtype, new long[] {bits.length}, b.flip());
  }

  /**
   * IEEE binary16 by its definition: (−1)^s · 2^(e−15) · (1 + m/1024), subnormal 2^−14 · m/1024.
   */
  private static double halfByDefinition(int bits) {
    int s = (bits >> 15) & 1;
    int e = (bits >> 10) & 0x1f;
    int m = bits & 0x3ff;
    double sign = s == 1 ? -1 : 1;
    if (e == 31) {
      return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
    }
    if (e == 0) {
      return sign * Math.scalb(m / 1024.0, -14);
    }
    return sign * Math.scalb(1 + m / 1024.0, e - 15);
  }

  @Test
  void fp16NamedValues() {
    assertEquals(1f, HostTensor.halfToFloat((short) 0x3c00));
    assertEquals(-2f, HostTensor.halfToFloat((short) 0xc000));
    assertEquals(65504f, HostTensor.halfToFloat((short) 0x7bff)); // max normal
    assertEquals(0x1p-14f, HostTensor.halfToFloat((short) 0x0400)); // min normal
    assertEquals(0x1p-24f, HostTensor.halfToFloat((short) 0x0001)); // min subnormal
    assertEquals(1023 * 0x1p-24f, HostTensor.halfToFloat((short) 0x03ff)); // max subnormal
    assertEquals(-0x1p-24f, HostTensor.halfToFloat((short) 0x8001));
    assertEquals(0.333251953125f, HostTensor.halfToFloat((short) 0x3555));
    assertEquals(Float.POSITIVE_INFINITY, HostTensor.halfToFloat((short) 0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, HostTensor.halfToFloat((short) 0xfc00));
    assertTrue(Float.isNaN(HostTensor.halfToFloat((short) 0x7e00)));
    assertTrue(Float.isNaN(HostTensor.halfToFloat((short) 0xfc01)));
    assertEquals(0, Float.floatToRawIntBits(HostTensor.halfToFloat((short) 0x0000)));
    assertEquals(0x80000000, Float.floatToRawIntBits(HostTensor.halfToFloat((short) 0x8000))); // −0
  }

  @Test
  void fp16AllBitPatternsMatchTheDefinition() {
    for (int bits = 0; bits < 0x10000; bits++) {
      double expected = halfByDefinition(bits);
      float found = HostTensor.halfToFloat((short) bits);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(found), Integer.toHexString(bits));
      } else {
        assertEquals(expected, found, 0.0, Integer.toHexString(bits));
        if (expected == 0) {
          assertEquals(bits >> 15, Float.floatToRawIntBits(found) >>> 31, "sign of zero " + bits);
        }
      }
    }
  }

  @Test
  void fp16TensorWidens() {
    HostTensor t = shorts(DType.F16, 0x3c00, 0x0001, 0xfc00, 0xbc00, 0x4248);
    assertEquals(DType.F16, t.dtype());
    assertArrayEquals(
        new float[] {1, 0x1p-24f, Float.NEGATIVE_INFINITY, -1, 3.140625f}, t.toFloatArray());
  }

  @Test
  void bf16TensorWidensByShifting() {
    // bf16 is the top half of a float32.
    HostTensor t = shorts(DType.BF16, 0x3f80, 0xc049, 0x7f80, 0x0001, 0x8000, 0x4049);
    float[] f = t.toFloatArray();
    assertEquals(1f, f[0]);
    assertEquals(-3.140625f, f[1]);
    assertEquals(Float.POSITIVE_INFINITY, f[2]);
    assertEquals(Float.intBitsToFloat(0x00010000), f[3]); // subnormal float32
    assertEquals(0x80000000, Float.floatToRawIntBits(f[4]));
    assertEquals(3.140625f, f[5]);
  }

  @Test
  void fp64RoundsToNearestFloat() {
    ByteBuffer b = le(24);
    b.putDouble(0.1).putDouble(-1e300).putDouble(1 + 0x1p-30);
    float[] f = HostTensor.of(DType.F64, new long[] {3}, b.flip()).toFloatArray();
    assertEquals(0.1f, f[0]);
    assertEquals(Float.NEGATIVE_INFINITY, f[1]);
    assertEquals(1f, f[2]);
  }

  @Test
  void integerTypesWidenToLong() {
    ByteBuffer i32 = le(12);
    i32.putInt(-7).putInt(Integer.MAX_VALUE).putInt(Integer.MIN_VALUE);
    assertArrayEquals(
        new long[] {-7, Integer.MAX_VALUE, Integer.MIN_VALUE},
        HostTensor.of(DType.I32, new long[] {3}, i32.flip()).toLongArray());
    assertArrayEquals(
        new long[] {-1, 32767, -32768}, shorts(DType.I16, 0xffff, 0x7fff, 0x8000).toLongArray());
    ByteBuffer bytes = le(3).put((byte) -1).put((byte) 127).put((byte) -128);
    assertArrayEquals(
        new long[] {-1, 127, -128},
        HostTensor.of(DType.I8, new long[] {3}, bytes.flip()).toLongArray());
    ByteBuffer u8 = le(3).put((byte) 0xff).put((byte) 0).put((byte) 0x80);
    assertArrayEquals(
        new long[] {255, 0, 128}, HostTensor.of(DType.U8, new long[] {3}, u8.flip()).toLongArray());
    ByteBuffer bool = le(2).put((byte) 1).put((byte) 0);
    assertArrayEquals(
        new long[] {1, 0}, HostTensor.of(DType.BOOL, new long[] {2}, bool.flip()).toLongArray());
    long[] l = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
    assertArrayEquals(l, HostTensor.ofLongs(new long[] {2, 2}, l).toLongArray());
  }

  @Test
  void wrongKindConversionsFail() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostTensor.ofLongs(new long[] {1}, new long[] {1}).toFloatArray());
    assertTrue(e.getMessage().contains("torch.int64"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostTensor.ofFloats(new long[] {1}, new float[] {1}).toLongArray());
    assertTrue(e.getMessage().contains("torch.float32"), e.getMessage());
  }

  @Test
  void shapeAndSizeAreValidated() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostTensor.ofFloats(new long[] {2, 3}, new float[5]));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("24"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> HostTensor.of(DType.F32, new long[] {-1}, le(0)));
    HostTensor scalar = HostTensor.ofLongs(new long[] {}, new long[] {5});
    assertEquals(0, scalar.rank());
    assertEquals(1, scalar.numel());
    assertEquals("torch.int64[]", scalar.toString());
    assertEquals(0, HostTensor.ofFloats(new long[] {0, 3}, new float[0]).numel());
  }

  @Test
  void immutableAndComparable() {
    float[] values = {1, 2, 3, 4};
    HostTensor t = HostTensor.ofFloats(new long[] {2, 2}, values);
    values[0] = 99;
    assertEquals(1f, t.toFloatArray()[0]);
    long[] shape = t.shape();
    shape[0] = 7;
    assertArrayEquals(new long[] {2, 2}, t.shape());
    assertThrows(ReadOnlyBufferException.class, () -> t.data().put(0, (byte) 1));
    assertTrue(t.contentEquals(HostTensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4})));
    assertFalse(t.contentEquals(HostTensor.ofFloats(new long[] {4}, new float[] {1, 2, 3, 4})));
    assertFalse(t.contentEquals(HostTensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 5})));
    // A big-endian source buffer is read as little-endian bytes regardless of its order flag.
    ByteBuffer be = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN);
    be.put(new byte[] {0, 0, (byte) 0x80, 0x3f});
    assertEquals(1f, HostTensor.of(DType.F32, new long[] {1}, be.flip()).toFloatArray()[0]);
  }
}
