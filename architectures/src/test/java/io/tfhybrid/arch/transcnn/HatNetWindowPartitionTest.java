package io.tfhybrid.arch.transcnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The local level's window partition: token {@code u·G + v} of window {@code (a, b)} is row
 * {@code a·G + u}, column {@code b·G + v}; channels split {@code [3][heads][hd]}; the
 * un-partition is the exact inverse (non-square window grids, rows never swapped with columns).
 */
class HatNetWindowPartitionTest {

  /** A value that encodes (batch, row, column, channel). */
  private static float code(long b, long y, long x, long c) {
    return b * 1_000_000f + y * 10_000f + x * 100f + c;
  }

  @ParameterizedTest(name = "B={0} {1}x{2} G={3} heads={4} hd={5}")
  @CsvSource({"2, 16, 24, 4, 2, 3", "1, 8, 12, 2, 3, 2", "2, 14, 7, 7, 1, 2", "1, 56, 56, 8, 1, 1"})
  void partitionIsTheExactInverseOfUnpartition(int batch, int h, int w, int g, int heads, int hd) {
    int c = heads * hd;
    long[] shape = {batch, h, w, 3L * c};
    float[] data = new float[batch * h * w * 3 * c];
    int i = 0;
    for (int b = 0; b < batch; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < 3 * c; ch++) {
            data[i++] = code(b, y, x, ch);
          }
        }
      }
    }
    try (GraphTester t = GraphTester.create()) {
      Ops tf = t.tf();
      Operand<TFloat32> map = t.constant(shape, data);
      List<Operand<TFloat32>> parts = HatNetAttention.partition(tf, map, g, 3, heads);
      Operand<TFloat32> windows = tf.stack(parts);
      List<Operand<TFloat32>> back = new java.util.ArrayList<>();
      for (Operand<TFloat32> p : parts) {
        back.add(HatNetAttention.unpartition(tf, p, h, w, g, heads));
      }
      List<HostTensor> out = t.evalAll(List.of(windows, back.get(0), back.get(1), back.get(2)));

      // Window layout: [3, B*heads*gh*gw, G*G, hd].
      int gh = h / g;
      int gw = w / g;
      HostTensor win = out.get(0);
      assertArrayEquals(new long[] {3, (long) batch * heads * gh * gw, (long) g * g, hd},
          win.shape());
      float[] wv = win.toFloatArray();
      int k = 0;
      for (int part = 0; part < 3; part++) {
        for (int b = 0; b < batch; b++) {
          for (int head = 0; head < heads; head++) {
            for (int a = 0; a < gh; a++) {
              for (int bb = 0; bb < gw; bb++) {
                for (int u = 0; u < g; u++) {
                  for (int v = 0; v < g; v++) {
                    for (int d = 0; d < hd; d++) {
                      float want = code(b, (long) a * g + u, (long) bb * g + v,
                          (long) part * c + (long) head * hd + d);
                      assertEquals(want, wv[k++], 0f);
                    }
                  }
                }
              }
            }
          }
        }
      }
      // Exact inverse: each part comes back as its own channel block of the input.
      for (int part = 0; part < 3; part++) {
        float[] got = out.get(1 + part).toFloatArray();
        assertArrayEquals(new long[] {batch, h, w, c}, out.get(1 + part).shape());
        int n = 0;
        for (int b = 0; b < batch; b++) {
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              for (int ch = 0; ch < c; ch++) {
                assertEquals(code(b, y, x, (long) part * c + ch), got[n++], 0f);
              }
            }
          }
        }
      }
    }
  }
}
