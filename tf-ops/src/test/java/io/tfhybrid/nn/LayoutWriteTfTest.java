package io.tfhybrid.nn;

import static io.tfhybrid.nn.GraphTester.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * {@link Layout#writeTf} puts a checkpoint tensor into TF tensor memory exactly as {@link
 * Layout#toTf} lays it out, whatever the tensor is: on the heap or lazy (read through a {@link
 * HostTensor.Storage} in small chunks), in torch order or tagged with TF's order ({@link
 * HostTensor#permutedView}), float32 or a dtype to widen.
 */
class LayoutWriteTfTest {
  /** A lazy tensor whose storage passes its bytes in chunks of 7 (to cross element boundaries). */
  static HostTensor lazy(DType dtype, long[] shape, byte[] bytes, int[] reads) {
    return HostTensor.lazy(dtype, shape, (buffer, sink) -> {
      reads[0]++;
      for (int at = 0; at < bytes.length; at += 7) {
        int n = Math.min(7, bytes.length - at);
        System.arraycopy(bytes, at, buffer, 0, n);
        sink.accept(buffer, 0, n);
      }
    });
  }

  static byte[] bytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  static float[] written(Layout layout, HostTensor t, long[] tfShape) throws IOException {
    try (TFloat32 tf = TFloat32.tensorOf(Shape.of(tfShape))) {
      layout.writeTf(t, tf.asRawTensor().data());
      float[] out = new float[Math.toIntExact(t.numel())];
      tf.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  record Case(Layout layout, long[] torch, long channels) {}

  static final List<Case> CASES = List.of(
      new Case(Layout.AS_IS, new long[] {2, 3, 4}, 0),
      new Case(Layout.AS_IS, new long[] {}, 0),
      new Case(Layout.OUT_IN, new long[] {5, 3}, 0),
      new Case(Layout.OIHW, new long[] {4, 3, 2, 5}, 0),
      new Case(Layout.DEPTHWISE, new long[] {6, 1, 3, 2}, 3), // C = 3, multiplier 2
      new Case(Layout.DEPTHWISE, new long[] {4, 1, 3, 3}, 4));

  @Test
  void everyLayoutEveryKindOfTensorGivesToTfsLayout() throws IOException {
    for (Case c : CASES) {
      int n = Math.toIntExact(HostTensor.numel(c.torch()));
      float[] w = iota(n);
      float[] expected = c.layout().toTf(w, c.torch());
      long[] tfShape = c.layout().tfShape(c.torch(), c.channels());
      String name = c.layout() + " " + Checks.shape(c.torch());
      int[] reads = {0};
      // Heap and lazy, torch order.
      assertArrayEquals(expected, written(c.layout(), HostTensor.ofFloats(c.torch(), w), tfShape),
          name);
      assertArrayEquals(expected,
          written(c.layout(), lazy(DType.F32, c.torch(), bytes(w), reads), tfShape), name);
      assertEquals(1, reads[0], name + ": one pass over the storage");
      // Bytes already in TF's order, tagged (a SavedModel variable), heap and lazy.
      HostTensor tagged = c.layout().torchView(DType.F32, c.torch(),
          ByteBuffer.wrap(bytes(expected)).order(ByteOrder.LITTLE_ENDIAN));
      assertArrayEquals(c.torch(), tagged.shape(), name);
      assertArrayEquals(w, tagged.toFloatArray(), name + ": data() is torch order");
      assertArrayEquals(expected, written(c.layout(), tagged, tfShape), name);
      HostTensor taggedLazy = c.layout().torchView(DType.F32, c.torch(),
          ByteBuffer.wrap(bytes(expected))); // heap view over the TF bytes ...
      assertArrayEquals(expected, written(c.layout(), taggedLazy, tfShape), name);
    }
  }

  @Test
  void halfPrecisionIsWidenedInTheSamePass() throws IOException {
    long[] torch = {2, 3};
    ByteBuffer half = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    for (short bits : new short[] {0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, (short) 0xc600}) {
      half.putShort(bits); // 1, 2, 3, 4, 5, -6
    }
    int[] reads = {0};
    HostTensor t = lazy(DType.F16, torch, half.array(), reads);
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, -6},
        written(Layout.OUT_IN, t, new long[] {3, 2}));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6},
        written(Layout.AS_IS, t, torch));
  }

  @Test
  void int64BuffersAreCopiedAndNarrowerIntegersWidened() throws IOException {
    long[] v = {3, -1, 1L << 40};
    for (HostTensor t : List.of(HostTensor.ofLongs(new long[] {3}, v),
        HostTensor.of(DType.I32, new long[] {3}, ByteBuffer.allocate(12)
            .order(ByteOrder.LITTLE_ENDIAN).putInt(3).putInt(-1).putInt(7).flip()))) {
      try (TInt64 tf = TInt64.tensorOf(Shape.of(3))) {
        Layout.writeTfLongs(t, tf.asRawTensor().data());
        long[] out = new long[3];
        tf.asRawTensor().data().asLongs().read(out);
        assertArrayEquals(t.dtype() == DType.I64 ? v : new long[] {3, -1, 7}, out);
      }
    }
  }

  @Test
  void aKerasKernelViewedInTorchShapeNeedsNoPermutation() {
    // [kh, kw, in, out] viewed (3, 2, 0, 1) is OIHW whose bytes are HWIO: OIHW's TF order.
    HostTensor kernel = HostTensor.ofFloats(new long[] {3, 3, 4, 8}, iota(288));
    HostTensor torch = kernel.permutedView(3, 2, 0, 1);
    assertArrayEquals(new long[] {8, 4, 3, 3}, torch.shape());
    assertFalse(torch.isTorchOrder());
    assertTrue(Layout.sameMemoryOrder(Layout.OIHW.tfAxisOrder(4), torch.storedOrder(),
        torch.shape()));
    // A depthwise Keras kernel [3, 3, 1, C] is DEPTHWISE's [C, 1, 3, 3] in TF order too.
    HostTensor dw = HostTensor.ofFloats(new long[] {3, 3, 1, 5}, iota(45)).permutedView(3, 2, 0, 1);
    assertTrue(Layout.sameMemoryOrder(Layout.DEPTHWISE.tfAxisOrder(4), dw.storedOrder(),
        dw.shape()));
    assertFalse(Layout.sameMemoryOrder(Layout.OIHW.tfAxisOrder(4), new int[] {0, 1, 2, 3},
        new long[] {8, 4, 3, 3}));
    // Views compose: viewing back gives the original axis order.
    HostTensor back = torch.permutedView(2, 3, 1, 0);
    assertTrue(back.isTorchOrder());
    assertArrayEquals(kernel.toFloatArray(), back.toFloatArray());
  }
}
