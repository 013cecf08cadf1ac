package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
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
   *
   * <p>A permutation that keeps the first (batch) axis first and the last axis last, with static
   * axes between (attention head splits and merges, window partitions), only reorders whole rows
   * of the last axis: it is emitted as one {@code GatherV2} of those rows ({@link #rowGather}), the
   * same bytes in the same places. On this project's machine oneDNN's {@code _MklTranspose} took
   * about twice as long as the gather for head splits such as {@code [8, 784, 3, 64] → [8, 3,
   * 784, 64]} (about 170 vs 90 µs over a pass-through).
   */
  public static <T extends org.tensorflow.types.family.TType> Operand<T> transpose(Ops tf,
      Operand<T> x, int... perm) {
    long[] s = of(x);
    Checks.checkArg(s.length == perm.length, "permutation %s for rank %s", Arrays.toString(perm),
        s.length);
    if (movesNoElement(s, perm)) {
      long[] target = new long[perm.length];
      for (int i = 0; i < perm.length; i++) {
        target[i] = s[perm[i]];
      }
      return tf.reshape(x, tf.constant(target));
    }
    int r = perm.length;
    if (r >= 3 && perm[0] == 0 && perm[r - 1] == r - 1 && staticBetween(s)) {
      int[] middle = new int[r - 2];
      for (int i = 0; i < middle.length; i++) {
        middle[i] = perm[i + 1] - 1;
      }
      Operand<TInt32> order = tf.reshape(rowOrder(tf, s, middle), tf.constant(new long[] {-1}));
      return rowGather(tf, x, s, order, outShape(s, perm, 1));
    }
    return tf.linalg.transpose(x, tf.constant(perm));
  }

  /**
   * {@code unstack(transpose(x, perm))} along the first output axis: the parts of a fused q/k/v
   * (or window) projection. When {@code perm} puts the parts axis first, then the batch axis, and
   * keeps the last axis last, each part is one {@code GatherV2} of last-axis rows ({@link
   * #rowGather}) and no transpose runs; else a transpose and an unstack.
   */
  public static List<Operand<TFloat32>> transposeUnstack(Ops tf, Operand<TFloat32> x,
      int... perm) {
    long[] s = of(x);
    int r = perm.length;
    Checks.checkArg(s.length == r && r >= 3, "permutation %s for rank %s", Arrays.toString(perm),
        s.length);
    long parts = s[perm[0]];
    Checks.checkArg(parts > 0, "the unstacked axis %s of %s is not static", perm[0],
        Arrays.toString(s));
    if (perm[0] != 0 && perm[1] == 0 && perm[r - 1] == r - 1 && staticBetween(s)) {
      int[] middle = new int[r - 2];
      middle[0] = perm[0] - 1;
      for (int i = 1; i < middle.length; i++) {
        middle[i] = perm[i + 1] - 1;
      }
      Operand<TInt32> order =
          tf.reshape(rowOrder(tf, s, middle), tf.constant(new long[] {parts, -1}));
      long[] out = outShape(s, perm, 2);
      List<Operand<TFloat32>> result = new ArrayList<>();
      for (Operand<TInt32> part : tf.unstack(order, parts).output()) {
        result.add(rowGather(tf, x, s, part, out));
      }
      return result;
    }
    return new ArrayList<>(tf.unstack(tf.linalg.transpose(x, tf.constant(perm)), parts).output());
  }

  /** Whether every axis but the first and the last is static. */
  private static boolean staticBetween(long[] s) {
    for (int i = 1; i < s.length - 1; i++) {
      if (s[i] < 0) {
        return false;
      }
    }
    return s[s.length - 1] >= 0;
  }

  /** {@code [-1, s[perm[from]], .., s[perm[r-1]]]}: the output shape after the batch axis. */
  private static long[] outShape(long[] s, int[] perm, int from) {
    long[] out = new long[perm.length - from + 1];
    out[0] = -1;
    for (int i = from; i < perm.length; i++) {
      out[i - from + 1] = s[perm[i]];
    }
    return out;
  }

  /**
   * The row numbers of {@code x}'s axes between the first and the last, read in the order {@code
   * middle} (a permutation of those axes, 0-based): {@code transpose(reshape(range(M), axes),
   * middle)}, int32. Made of constants only, so grappler's constant folding turns it into one
   * constant when the graph is optimised (no op of it runs per pass, and the exported graph stores
   * these few nodes rather than the index table).
   */
  private static Operand<TInt32> rowOrder(Ops tf, long[] s, int[] middle) {
    long m = rowCount(s);
    Checks.checkArg(m <= Integer.MAX_VALUE, "%s rows do not fit an int32 index", m);
    Operand<TInt32> order = tf.reshape(tf.range(tf.constant(0), tf.constant((int) m),
        tf.constant(1)), tf.constant(Arrays.copyOfRange(s, 1, s.length - 1)));
    return tf.linalg.transpose(order, tf.constant(middle));
  }

  /** The number of last-axis rows per batch element: the product of the axes between. */
  private static long rowCount(long[] s) {
    long m = 1;
    for (int i = 1; i < s.length - 1; i++) {
      m *= s[i];
    }
    return m;
  }

  /**
   * The last-axis rows of {@code x} (shape {@code s}) in the order {@code order}: {@code x} viewed
   * as {@code [B, M, d]}, a {@code GatherV2} on axis 1, then reshaped to {@code out}.
   */
  private static <T extends org.tensorflow.types.family.TType> Operand<T> rowGather(Ops tf,
      Operand<T> x, long[] s, Operand<TInt32> order, long[] out) {
    Operand<T> flat = tf.reshape(x, tf.constant(new long[] {-1, rowCount(s), s[s.length - 1]}));
    return tf.reshape(tf.gather(flat, order, tf.constant(1)), tf.constant(out));
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
