package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@link LookupScope} names every operation as TF Java's own scopes do (sub-scopes, repeats,
 * withName, names taken by operations another scope created), and is linear in the graph size.
 */
class LookupScopeTest {
  /** Builds a graph with a mix of scopes, names and repeats; returns the operation names. */
  static List<String> build(Function<Graph, Ops> create) {
    try (Graph g = new Graph()) {
      Ops other = Ops.create(g); // a second scope on the same graph takes names first
      other.constant(1f);
      other.withName("x").constant(2f);
      other.withSubScope("block").constant(3f);
      Ops tf = create.apply(g);
      Operand<TFloat32> a = tf.constant(4f); // Const is taken: Const_1
      Operand<TFloat32> x = tf.withName("x").math.add(a, a); // x_1
      Ops block = tf.withSubScope("block"); // block/ holds another scope's ops: block_1/
      Operand<TFloat32> y = block.math.mul(x, x); // block_1/Mul
      block.math.mul(y, y); // block_1/Mul_1
      Ops again = tf.withSubScope("block"); // block_2/
      again.math.mul(y, y);
      Ops nested = again.withSubScope("inner").withSubScope("deep");
      nested.withName("out").identity(y);
      nested.withName("out").identity(y); // out_1
      tf.withControlDependencies(List.of(block.noOp())).withName("after").identity(y);
      List<String> names = new ArrayList<>();
      g.operations().forEachRemaining(o -> names.add(o.name()));
      return names;
    }
  }

  @Test
  void namesOperationsAsTfJavasScopesDo() {
    List<String> ours = build(LookupScope::ops);
    assertEquals(build(Ops::create), ours);
    assertTrue(ours.containsAll(List.of("Const_1", "x_1", "block_1/Mul_1", "block_2/Mul",
        "block_2/inner/deep/out_1")), ours.toString());
  }

  @Test
  void keepsControlDependenciesAndRuns() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = LookupScope.ops(g);
      Operand<TFloat32> x = tf.withSubScope("m").math.add(tf.constant(2f), tf.constant(3f));
      var noop = tf.noOp();
      Operand<TFloat32> y = tf.withControlDependencies(List.of(noop)).identity(x);
      GraphOperation op = (GraphOperation) y.op();
      assertEquals(1, op.controlInputs().size());
      try (TFloat32 t = (TFloat32) s.runner().fetch(y).run().get(0)) {
        assertEquals(5f, t.getFloat());
      }
      assertThrows(IllegalArgumentException.class, () -> tf.withSubScope("a/b"));
    }
  }

  @Test
  void subScopesCostNoWalkOverTheGraph() {
    // TF Java's withSubScope walks every operation: 3,000 sub-scopes over 30,000 ops were
    // 90 million JNI calls; here each is a few lookups.
    try (Graph g = new Graph()) {
      Ops tf = LookupScope.ops(g);
      Operand<TFloat32> x = tf.constant(1f);
      for (int i = 0; i < 30_000; i++) {
        x = tf.math.add(x, x);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < 3_000; i++) {
        tf.withSubScope("s").identity(x);
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      System.out.printf("3,000 sub-scopes on a 30,000-op graph: %.0f ms%n", ms);
      assertTrue(g.operation("s_2999/Identity") != null);
    }
  }
}
