package io.tfhybrid.ops;

import static io.tfhybrid.nn.GraphTester.iota;
import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.TorchRef;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Head split/merge channel order, fused q/k/v order, and attend() against naive attention. */
class AttentionTest {

  @Test
  void splitHeadsUsesChannelHeadTimesDPlusE() {
    int b = 2;
    int n = 3;
    int h = 2;
    int d = 4;
    float[] x = iota(b * n * h * d);
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> in = g.constant(new long[] {b, n, h * d}, x);
      Operand<TFloat32> split = Attention.splitHeads(g.tf(), in, h);
      List<HostTensor> r = g.evalAll(List.of(split, Attention.mergeHeads(g.tf(), split)));
      assertShape(new long[] {b, h, n, d}, r.get(0));
      float[] s = r.get(0).toFloatArray();
      for (int bi = 0; bi < b; bi++) {
        for (int hi = 0; hi < h; hi++) {
          for (int ni = 0; ni < n; ni++) {
            for (int e = 0; e < d; e++) {
              assertEquals(
                  x[(bi * n + ni) * h * d + hi * d + e], s[((bi * h + hi) * n + ni) * d + e]);
            }
          }
        }
      }
      assertShape(new long[] {b, n, h * d}, r.get(1));
      assertArrayEquals(x, r.get(1).toFloatArray(), "mergeHeads ∘ splitHeads");
    }
  }

  @Test
  void mergeHeadsInvertsSplitHeads() {
    int b = 2;
    int h = 3;
    int n = 4;
    int d = 2;
    float[] x = iota(b * h * n * d);
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> in = g.constant(new long[] {b, h, n, d}, x);
      Operand<TFloat32> merged = Attention.mergeHeads(g.tf(), in);
      List<HostTensor> r = g.evalAll(List.of(merged, Attention.splitHeads(g.tf(), merged, h)));
      float[] m = r.get(0).toFloatArray();
      for (int bi = 0; bi < b; bi++) {
        for (int hi = 0; hi < h; hi++) {
          for (int ni = 0; ni < n; ni++) {
            for (int e = 0; e < d; e++) {
              assertEquals(
                  x[((bi * h + hi) * n + ni) * d + e], m[(bi * n + ni) * h * d + hi * d + e]);
            }
          }
        }
      }
      assertArrayEquals(x, r.get(1).toFloatArray(), "splitHeads ∘ mergeHeads");
    }
  }

  @Test
  void splitQkvIsThreeThenHeadsThenD() {
    int b = 2;
    int n = 3;
    int h = 2;
    int d = 4;
    int c3 = 3 * h * d;
    float[] x = iota(b * n * c3);
    try (GraphTester g = GraphTester.create()) {
      List<Operand<TFloat32>> qkv =
          Attention.splitQkv(g.tf(), g.constant(new long[] {b, n, c3}, x), 3, h);
      assertEquals(3, qkv.size());
      List<HostTensor> r = g.evalAll(qkv);
      for (int part = 0; part < 3; part++) {
        assertShape(new long[] {b, h, n, d}, r.get(part));
        float[] t = r.get(part).toFloatArray();
        for (int bi = 0; bi < b; bi++) {
          for (int hi = 0; hi < h; hi++) {
            for (int ni = 0; ni < n; ni++) {
              for (int e = 0; e < d; e++) {
                assertEquals(
                    x[(bi * n + ni) * c3 + part * h * d + hi * d + e],
                    t[((bi * h + hi) * n + ni) * d + e]);
              }
            }
          }
        }
      }
      // Individual elements, channel = part·h·d + head·d + e:
      float[] q = r.get(0).toFloatArray();
      float[] k = r.get(1).toFloatArray();
      float[] v = r.get(2).toFloatArray();
      assertEquals(
          x[(1 * n + 2) * c3 + 7], q[((1 * h + 1) * n + 2) * d + 3]); // q[1,1,2,3] = x[1,2,7]
      assertEquals(
          x[(0 * n + 0) * c3 + 12], k[((0 * h + 1) * n + 0) * d + 0]); // k[0,1,0,0] = x[0,0,12]
      assertEquals(
          x[(1 * n + 1) * c3 + 18], v[((1 * h + 0) * n + 1) * d + 2]); // v[1,0,1,2] = x[1,1,18]
      // x holds its flat index, so the literal values are the fused channels of token 0:
      assertEquals(1f, q[1]); // q[0,0,0,1]: channel 1
      assertEquals(4f, q[n * d]); // q[0,1,0,0]: head 1 starts at channel d = 4
      assertEquals(8f, k[0]); // k[0,0,0,0]: the k block starts at h·d = 8
      assertEquals(16f, v[0]); // v[0,0,0,0]: the v block starts at 2·h·d = 16
      assertEquals(c3 + 21f, v[1 * d + 1 + n * d]); // v[0,1,1,1] = x[0,1,16+4+1]
    }
  }

  @Test
  void splitIntoTwoPartsForKeyValue() {
    int n = 2;
    int h = 2;
    int d = 3;
    float[] x = iota(n * 2 * h * d);
    try (GraphTester g = GraphTester.create()) {
      List<HostTensor> r =
          g.evalAll(Attention.splitQkv(g.tf(), g.constant(new long[] {1, n, 2 * h * d}, x), 2, h));
      // v[0, 1, 1, 2] = x[0, 1, 1·h·d + 1·d + 2] = x[1·12 + 11]
      assertEquals(x[12 + 11], r.get(1).toFloatArray()[(1 * n + 1) * d + 2]);
      assertEquals(x[12 + 5], r.get(0).toFloatArray()[(1 * n + 1) * d + 2]);
    }
  }

  @Test
  void widthsMustDivide() {
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> x = g.constant(new long[] {1, 2, 10}, new float[20]);
      assertThrows(IllegalArgumentException.class, () -> Attention.splitHeads(g.tf(), x, 3));
      assertThrows(IllegalArgumentException.class, () -> Attention.splitQkv(g.tf(), x, 3, 2));
    }
  }

  /**
   * softmax(scale·q·kᵀ + bias)·v in double; q [B,h,Nq,d], k/v [B,h,Nk,d], bias [h,Nq,Nk] or null.
   */
  static double[] naiveAttention(
      float[] q,
      float[] k,
      float[] v,
      float[] bias,
      int b,
      int h,
      int nq,
      int nk,
      int d,
      double scale) {
    double[] out = new double[b * h * nq * d];
    double[] s = new double[nk];
    for (int bi = 0; bi < b; bi++) {
      for (int hi = 0; hi < h; hi++) {
        int qb = (bi * h + hi) * nq * d;
        int kb = (bi * h + hi) * nk * d;
        for (int i = 0; i < nq; i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < nk; j++) {
            double dot = 0;
            for (int e = 0; e < d; e++) {
              dot += (double) q[qb + i * d + e] * k[kb + j * d + e];
            }
            s[j] = dot * scale + (bias == null ? 0 : bias[(hi * nq + i) * nk + j]);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j < nk; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int e = 0; e < d; e++) {
            double acc = 0;
            for (int j = 0; j < nk; j++) {
              acc += s[j] / sum * v[kb + j * d + e];
            }
            out[qb + i * d + e] = acc;
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "bias={0}, scaleQueryFirst={1}")
  @CsvSource({"false, false", "false, true", "true, false", "true, true"})
  void attendMatchesNaiveSoftmaxAttention(boolean withBias, boolean scaleQueryFirst) {
    int b = 2;
    int h = 3;
    int nq = 4;
    int nk = 6; // CvT attends to a shorter (strided) key/value sequence
    int d = 5;
    float scale = (float) Math.pow(d, -0.5);
    float[] q = TorchRef.uniform(1, b * h * nq * d, -2, 2);
    float[] k = TorchRef.uniform(2, b * h * nk * d, -2, 2);
    float[] v = TorchRef.uniform(3, b * h * nk * d, -1, 1);
    float[] bias = withBias ? TorchRef.uniform(4, h * nq * nk, -3, 3) : null;
    HostTensor y;
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> biasOp = withBias ? g.constant(new long[] {h, nq, nk}, bias) : null;
      y =
          g.eval(
              Attention.attend(
                  g.tf(),
                  g.constant(new long[] {b, h, nq, d}, q),
                  g.constant(new long[] {b, h, nk, d}, k),
                  g.constant(new long[] {b, h, nk, d}, v),
                  scale,
                  scaleQueryFirst,
                  biasOp));
    }
    assertShape(new long[] {b, h, nq, d}, y);
    assertClose(
        naiveAttention(q, k, v, bias, b, h, nq, nk, d, scale),
        y.toFloatArray(),
        "attend bias=" + withBias + " scaleQueryFirst=" + scaleQueryFirst);
  }

  @Test
  void scoresAndWeightedAreBatchedProducts() {
    // q = [[1, 2]], k = [[3, 4], [5, 6]] → q·kᵀ = [[11, 17]]; p = [[0.25, 0.75]] · v = [[1, 2], [3,
    // 4]].
    try (GraphTester g = GraphTester.create()) {
      List<HostTensor> r =
          g.evalAll(
              List.of(
                  Attention.scores(
                      g.tf(),
                      g.constant(new long[] {1, 1, 1, 2}, new float[] {1, 2}),
                      g.constant(new long[] {1, 1, 2, 2}, new float[] {3, 4, 5, 6})),
                  Attention.weighted(
                      g.tf(),
                      g.constant(new long[] {1, 1, 1, 2}, new float[] {0.25f, 0.75f}),
                      g.constant(new long[] {1, 1, 2, 2}, new float[] {1, 2, 3, 4}))));
      assertArrayEquals(new float[] {11, 17}, r.get(0).toFloatArray());
      assertArrayEquals(new float[] {2.5f, 3.5f}, r.get(1).toFloatArray());
    }
  }
}
