package io.tfhybrid.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Explicit spatial padding of NHWC maps with a constant value (zeros for convs, −∞ for max-pool). */
public final class Padding {
  private Padding() {}

  public static Operand<TFloat32> pad(Ops tf, Operand<TFloat32> xNhwc, int top, int bottom,
      int left, int right, float value) {
    if (top == 0 && bottom == 0 && left == 0 && right == 0) {
      return xNhwc;
    }
    long[][] p = {{0, 0}, {top, bottom}, {left, right}, {0, 0}};
    return tf.pad(xNhwc, tf.constant(p), tf.constant(value));
  }
}
