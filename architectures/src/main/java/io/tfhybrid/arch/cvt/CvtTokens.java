package io.tfhybrid.arch.cvt;

import io.tfhybrid.ops.Shapes;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Class-token bookkeeping on {@code [B, T, C]} sequences (class token at index 0). */
final class CvtTokens {
  private CvtTokens() {}

  /** {@code [B, 1, C]} ++ {@code [B, N, C]} → {@code [B, 1 + N, C]}. */
  static Operand<TFloat32> prepend(Ops tf, Operand<TFloat32> clsB1c, Operand<TFloat32> tokensBnc) {
    return tf.concat(List.of(clsB1c, tokensBnc), tf.constant(1));
  }

  /** The class token {@code [B, 1, C]} of a sequence. */
  static Operand<TFloat32> head(Ops tf, Operand<TFloat32> seqBtc) {
    return tf.slice(seqBtc, tf.constant(new long[] {0, 0, 0}), tf.constant(new long[] {-1, 1, -1}));
  }

  /** The {@code [B, T − 1, C]} grid tokens after the class token. */
  static Operand<TFloat32> tail(Ops tf, Operand<TFloat32> seqBtc) {
    long t = Shapes.dim(seqBtc, 1);
    return tf.slice(seqBtc, tf.constant(new long[] {0, 1, 0}),
        tf.constant(new long[] {-1, t - 1, -1}));
  }

  /** {@code cls_token.expand(B, -1, -1)}: {@code [1, 1, C]} → {@code [B, 1, C]} with B from {@code like}. */
  static Operand<TFloat32> expandToBatch(Ops tf, Operand<TFloat32> cls11c, Operand<TFloat32> like) {
    Operand<TInt32> batch = tf.slice(tf.shape(like), tf.constant(new int[] {0}),
        tf.constant(new int[] {1}));
    Operand<TInt32> target = tf.concat(
        List.of(batch, tf.constant(new int[] {1, (int) Shapes.dim(cls11c, 2)})), tf.constant(0));
    return tf.broadcastTo(cls11c, target);
  }
}
