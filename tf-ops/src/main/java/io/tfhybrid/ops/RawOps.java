package io.tfhybrid.ops;

import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.types.TFloat32;

/**
 * The TensorFlow ops that TF Java 1.1's {@code Ops} does not offer in the version grappler's
 * remapper and oneDNN pass look for: {@code AddV2} ({@code tf.math.add} emits {@code Add}) and
 * {@code BatchMatMulV2} ({@code tf.train.batchMatMul} emits {@code BatchMatMulV3}, which stays on
 * Eigen's kernel instead of oneDNN's {@code _MklBatchMatMulV2}).
 */
final class RawOps {
  private RawOps() {}

  /** {@code a + b} with broadcasting, as the op {@code AddV2}. */
  static Operand<TFloat32> addV2(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    return builder(tf, "AddV2").addInput(a.asOutput()).addInput(b.asOutput()).build().output(0);
  }

  /** A broadcasting batched matmul {@code a·b} (or {@code a·bᵀ}) as the op {@code BatchMatMulV2}. */
  static Operand<TFloat32> batchMatMulV2(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b,
      boolean adjY) {
    OperationBuilder op =
        builder(tf, "BatchMatMulV2").addInput(a.asOutput()).addInput(b.asOutput());
    if (adjY) {
      op.setAttr("adj_y", true);
    }
    return op.build().output(0);
  }

  private static OperationBuilder builder(Ops tf, String type) {
    Scope scope = tf.scope();
    return scope.env().opBuilder(type, scope.makeOpName(type), scope);
  }
}
