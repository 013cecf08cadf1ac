package io.tfhybrid.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * {@link Shapes#transpose} and {@link Shapes#transposeUnstack}: a permutation that keeps the batch
 * axis first and the last axis last runs as a gather of last-axis rows, which must put every value
 * where TensorFlow's own Transpose puts it, with the row order folded to a constant.
 */
class ShapesTest {

  private static float[] iota(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return GraphTester.iota((int) n);
  }

  private static void checkTranspose(long[] shape, int... perm) {
    try (GraphTester g = GraphTester.create()) {
      Ops tf = g.tf();
      Operand<TFloat32> x = g.constant(shape, iota(shape));
      List<HostTensor> out = g.evalAll(List.of(Shapes.transpose(tf, x, perm),
          tf.linalg.transpose(x, tf.constant(perm))));
      assertArrayEquals(out.get(1).shape(), out.get(0).shape());
      assertArrayEquals(out.get(1).toFloatArray(), out.get(0).toFloatArray(),
          java.util.Arrays.toString(shape) + " perm " + java.util.Arrays.toString(perm));
    }
  }

  @Test
  void rowGatherTransposesPutEveryValueWhereTransposeDoes() {
    checkTranspose(new long[] {2, 5, 3, 4}, 0, 2, 1, 3); // head split
    checkTranspose(new long[] {2, 3, 5, 4}, 0, 2, 1, 3); // head merge
    checkTranspose(new long[] {2, 2, 3, 2, 3, 4}, 0, 1, 3, 2, 4, 5); // ConTNet patches
    checkTranspose(new long[] {2, 3, 2, 2, 2, 3, 5}, 0, 2, 4, 3, 5, 1, 6); // HAT-Net windows
    checkTranspose(new long[] {2, 3, 4}, 0, 2, 1); // the last axis moves: a Transpose
    checkTranspose(new long[] {3, 1, 4, 2}, 0, 2, 1, 3); // moves no element: a reshape
  }

  @Test
  void transposeUnstackGivesTheUnstackedTranspose() {
    long[] shape = {2, 5, 3, 2, 4}; // [B, N, parts, heads, d]
    for (int[] perm : new int[][] {{2, 0, 3, 1, 4}, {2, 3, 0, 1, 4}}) { // gathered; heads outer
      try (GraphTester g = GraphTester.create()) {
        Ops tf = g.tf();
        Operand<TFloat32> x = g.constant(shape, iota(shape));
        List<Operand<TFloat32>> fetch = new ArrayList<>(Shapes.transposeUnstack(tf, x, perm));
        fetch.addAll(tf.unstack(tf.linalg.transpose(x, tf.constant(perm)), 3L).output());
        List<HostTensor> out = g.evalAll(fetch);
        for (int p = 0; p < 3; p++) {
          assertArrayEquals(out.get(p + 3).shape(), out.get(p).shape());
          assertArrayEquals(out.get(p + 3).toFloatArray(), out.get(p).toFloatArray(),
              "part " + p + " of perm " + java.util.Arrays.toString(perm));
        }
      }
    }
  }

  /**
   * With an unknown batch, in the graph TensorFlow runs: one GatherV2 per transposed tensor, and
   * no Transpose or Range left (the row order is folded to a constant when the graph is optimised).
   */
  @Test
  void theOptimisedGraphGathersWithAFoldedRowOrder() {
    try (Graph graph = new Graph(); Session s = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 6, 3, 2, 4)));
      List<Operand<TFloat32>> qkv = Attention.splitQkv(tf, tf.reshape(x,
          tf.constant(new long[] {-1, 6, 24})), 3, 2); // [B, 2, 6, 4] each
      Operand<TFloat32> merged = Attention.mergeHeads(tf, tf.math.add(qkv.get(0),
          tf.math.mul(qkv.get(1), qkv.get(2))));
      float[] in = GraphTester.iota(2 * 6 * 3 * 2 * 4);
      RunOptions opts = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(2, 6, 3, 2, 4), DataBuffers.of(in, true, false));
          Result r = s.runner().feed(x, t).fetch(merged).setOptions(opts).runAndFetchMetadata()) {
        List<String> ops = new ArrayList<>();
        for (GraphDef g : r.getMetadata().orElseThrow().getPartitionGraphsList()) {
          for (NodeDef n : g.getNodeList()) {
            ops.add(n.getOp());
          }
        }
        assertEquals(4, ops.stream().filter(o -> o.equals("GatherV2")).count(), ops.toString());
        assertTrue(ops.stream().noneMatch(o -> o.contains("Transpose") || o.equals("Range")),
            ops.toString());
      }
    }
  }
}
