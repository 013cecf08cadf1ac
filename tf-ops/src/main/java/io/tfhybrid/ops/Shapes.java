package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Static-shape helpers. Our graphs have static sizes everywhere except the batch axis. */
public final class Shapes {
  private Shapes() {}

  /** The static shape; -1 marks an unknown dimension (only the batch axis may be unknown). */
  public static long[] of(Operand<?> x) {
    return x.shape().asArray();
  }

  /** Static size of axis {@code axis} (negative counts from the end); fails if unknown. */
  public static long dim(Operand<?> x, int axis) {
    long[] s = of(x);
    int a = axis < 0 ? s.length + axis : axis;
    Checks.checkState(s[a] >= 0, "axis %s of %s is not static", axis, Checks.shape(s));
    return s[a];
  }

  /** A shape constant for Reshape; use -1 for the (dynamic) batch axis. */
  public static Constant<TInt64> constant(Ops tf, long... dims) {
    return tf.constant(dims);
  }

  /** Reshape with a static target (one -1 allowed). */
  public static <T extends org.tensorflow.types.family.TType> Operand<T> reshape(Ops tf,
      Operand<T> x, long... dims) {
    return tf.reshape(x, tf.constant(dims));
  }

  /**
   * The rank-2 rows {@code [M, C]} that {@code x} was reshaped from, when {@code x} is the output
   * of a {@code Reshape} of such rows with the same last axis (as {@link Dense#apply} leaves its
   * result); else null. Lets the next matmul or element-wise op work on the rows directly, so
   * that TensorFlow's remapper sees {@code MatMul → BiasAdd → activation} with no reshape between.
   */
  @SuppressWarnings("unchecked")
  public static Operand<TFloat32> rowsOf(Operand<TFloat32> x) {
    if (!(x.op() instanceof GraphOperation g) || !g.type().equals("Reshape")) {
      return null;
    }
    Output<?> in = g.input(0);
    long[] s = in.shape().asArray();
    long[] xs = of(x);
    return in.type() == TFloat32.class && s.length == 2 && xs.length > 2 && s[1] >= 0
        && s[1] == xs[xs.length - 1] ? (Operand<TFloat32>) in : null;
  }

  /**
   * {@code y} reshaped to the shape of {@code reshaped}, the output of a {@code Reshape} ({@link
   * #rowsOf} non-null): takes that op's own shape operand, so nothing new is computed.
   */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32> reshapeLike(Ops tf, Operand<TFloat32> y, Operand<TFloat32> reshaped) {
    GraphOperation g = (GraphOperation) reshaped.op();
    return tf.reshape(y, (Operand<? extends org.tensorflow.types.family.TNumber>) g.input(1));
  }

  /**
   * {@code x} as rows {@code [M, C]}: the rows it was reshaped from ({@link #rowsOf}) or a
   * reshape; a rank-2 {@code x} as it is.
   */
  public static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> x) {
    long[] s = of(x);
    if (s.length == 2) {
      return x;
    }
    Operand<TFloat32> r = rowsOf(x);
    return r != null ? r : reshape(tf, x, -1, dim(x, -1));
  }

  /**
   * Transpose with a constant permutation. A permutation that keeps every axis longer than 1 in
   * its order (e.g. splitting one attention head, {@code [B, N, 1, d] → [B, 1, N, d]}) moves no
   * element: it is emitted as a reshape, which costs nothing, instead of a copying transpose.
   */
  public static <T extends org.tensorflow.types.family.TType> Operand<T> transpose(Ops tf,
      Operand<T> x, int... perm) {
    long[] s = of(x);
    if (s.length == perm.length && movesNoElement(s, perm)) {
      long[] target = new long[perm.length];
      for (int i = 0; i < perm.length; i++) {
        target[i] = s[perm[i]];
      }
      return tf.reshape(x, tf.constant(target));
    }
    return tf.linalg.transpose(x, tf.constant(perm));
  }

  /** Whether the axes of size other than 1 (unknown counts as other) keep their order. */
  private static boolean movesNoElement(long[] shape, int[] perm) {
    int unknown = 0;
    int last = -1;
    for (int p : perm) {
      if (shape[p] == 1) {
        continue;
      }
      if (shape[p] < 0) {
        unknown++;
      }
      if (p < last) {
        return false;
      }
      last = p;
    }
    return unknown <= 1; // a reshape target may hold one -1
  }
}
