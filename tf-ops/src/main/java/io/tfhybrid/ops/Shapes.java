package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
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

  /** Transpose with a constant permutation. */
  public static <T extends org.tensorflow.types.family.TType> Operand<T> transpose(Ops tf,
      Operand<T> x, int... perm) {
    return tf.linalg.transpose(x, tf.constant(perm));
  }
}
