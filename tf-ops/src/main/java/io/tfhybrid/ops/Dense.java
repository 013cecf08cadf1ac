package io.tfhybrid.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** {@code nn.Linear} on the last axis of any rank: {@code y = x·W + b} with W held as {@code [in, out]}. */
public final class Dense {
  private Dense() {}

  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> wInOut,
      Operand<TFloat32> bias) {
    long[] s = Shapes.of(x);
    long in = Shapes.dim(wInOut, 0);
    long out = Shapes.dim(wInOut, 1);
    Operand<TFloat32> y;
    if (s.length == 2) {
      y = tf.linalg.matMul(x, wInOut);
    } else {
      // Flatten every leading axis into rows; all but the batch axis are static in our graphs.
      Operand<TFloat32> rows = Shapes.reshape(tf, x, -1, in);
      y = tf.linalg.matMul(rows, wInOut);
      long[] target = s.clone();
      target[0] = -1;
      target[s.length - 1] = out;
      y = tf.reshape(y, tf.constant(target));
    }
    return bias == null ? y : tf.nn.biasAdd(y, bias);
  }
}
