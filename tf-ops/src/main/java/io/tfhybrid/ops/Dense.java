package io.tfhybrid.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.Linear} on the last axis of any rank: {@code y = x·W + b} with W held as {@code [in,
 * out]}. Higher ranks run as rows {@code [M, in]}: {@code MatMul} then {@code BiasAdd} on the rows,
 * then one reshape back, the form TensorFlow's remapper fuses into {@code _FusedMatMul} (with a
 * following GELU too, see {@link Activations#apply}).
 */
public final class Dense {
  private Dense() {}

  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> wInOut,
      Operand<TFloat32> bias) {
    long[] s = Shapes.of(x);
    long out = Shapes.dim(wInOut, 1);
    Operand<TFloat32> y = tf.linalg.matMul(Shapes.rows(tf, x), wInOut);
    if (bias != null) {
      y = tf.nn.biasAdd(y, bias);
    }
    if (s.length == 2) {
      return y;
    }
    // All but the batch axis are static in our graphs.
    long[] target = s.clone();
    target[0] = -1;
    target[s.length - 1] = out;
    return tf.reshape(y, tf.constant(target));
  }
}
