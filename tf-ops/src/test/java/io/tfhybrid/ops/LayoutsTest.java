package io.tfhybrid.ops;

import static io.tfhybrid.nn.GraphTester.iota;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.TorchRef;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Map ↔ tokens in PyTorch's row-major (h w) order, and NCHW ↔ NHWC on host and in graph. */
class LayoutsTest {
  @Test
  void mapToTokensIsRowMajorAndTokensToMapInvertsIt() {
    int b = 2;
    int h = 3;
    int w = 4;
    int c = 5;
    float[] x = iota(b * h * w * c);
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> tokens =
          Layouts.mapToTokens(g.tf(), g.constant(new long[] {b, h, w, c}, x));
      List<HostTensor> r = g.evalAll(List.of(tokens, Layouts.tokensToMap(g.tf(), tokens, h, w)));
      assertShape(new long[] {b, h * w, c}, r.get(0));
      float[] t = r.get(0).toFloatArray();
      for (int bi = 0; bi < b; bi++) {
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < w; xx++) {
            for (int ch = 0; ch < c; ch++) {
              // torch: x.flatten(2).transpose(1, 2) → token y·W + x holds pixel (y, x).
              assertEquals(
                  x[((bi * h + y) * w + xx) * c + ch], t[(bi * h * w + y * w + xx) * c + ch]);
            }
          }
        }
      }
      assertShape(new long[] {b, h, w, c}, r.get(1));
      assertArrayEquals(x, r.get(1).toFloatArray());
    }
  }

  @Test
  void tokensToMapChecksTheTokenCount() {
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> t = g.constant(new long[] {1, 6, 2}, new float[12]);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Layouts.tokensToMap(g.tf(), t, 2, 2));
      assertEquals(true, e.getMessage().contains("6 tokens"), e.getMessage());
    }
  }

  @Test
  void hostNchwNhwcRoundTrip() {
    int b = 2;
    int c = 3;
    int h = 4;
    int w = 5;
    float[] nchw = iota(b * c * h * w);
    float[] nhwc = Layouts.nchwToNhwc(nchw, new long[] {b, c, h, w});
    assertArrayEquals(TorchRef.nchwToNhwc(nchw, b, c, h, w), nhwc);
    for (int bi = 0; bi < b; bi++) {
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            assertEquals(
                nchw[((bi * c + ch) * h + y) * w + x], nhwc[((bi * h + y) * w + x) * c + ch]);
          }
        }
      }
    }
    assertArrayEquals(nchw, Layouts.nhwcToNchw(nhwc, new long[] {b, h, w, c}));
  }

  @Test
  void hostTensorNchwNhwcRoundTrip() {
    long[] nchwShape = {2, 3, 4, 5};
    float[] nchw = iota(2 * 3 * 4 * 5);
    HostTensor nhwc = Layouts.nchwToNhwc(HostTensor.ofFloats(nchwShape, nchw));
    assertShape(new long[] {2, 4, 5, 3}, nhwc);
    assertArrayEquals(Layouts.nchwToNhwc(nchw, nchwShape), nhwc.toFloatArray());
    HostTensor back = Layouts.nhwcToNchw(nhwc);
    assertShape(nchwShape, back);
    assertArrayEquals(nchw, back.toFloatArray());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Layouts.nchwToNhwc(HostTensor.ofFloats(new long[] {3, 4}, iota(12))));
    assertEquals("expected an NCHW tensor [N, C, H, W], found [3, 4]", e.getMessage());
  }

  @Test
  void graphNchwNhwcMatchesHost() {
    int b = 1;
    int c = 3;
    int h = 2;
    int w = 4;
    float[] nchw = iota(b * c * h * w);
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> nhwc =
          Layouts.nchwToNhwc(g.tf(), g.constant(new long[] {b, c, h, w}, nchw));
      List<HostTensor> r = g.evalAll(List.of(nhwc, Layouts.nhwcToNchw(g.tf(), nhwc)));
      assertShape(new long[] {b, h, w, c}, r.get(0));
      assertArrayEquals(Layouts.nchwToNhwc(nchw, new long[] {b, c, h, w}), r.get(0).toFloatArray());
      assertShape(new long[] {b, c, h, w}, r.get(1));
      assertArrayEquals(nchw, r.get(1).toFloatArray());
    }
  }
}
