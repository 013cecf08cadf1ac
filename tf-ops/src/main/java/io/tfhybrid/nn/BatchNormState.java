package io.tfhybrid.nn;

import io.tfhybrid.ops.Norms;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The five state_dict entries of a PyTorch BatchNorm ({@code weight}, {@code bias}, {@code
 * running_mean}, {@code running_var}, {@code num_batches_tracked}) declared directly on their
 * module, and its inference-mode forward: shared by {@link BatchNorm2d} and {@link BatchNormAct2d}.
 */
record BatchNormState(
    ParamSpec weight, ParamSpec bias, ParamSpec runningMean, ParamSpec runningVar, float eps) {

  static BatchNormState declare(Module owner, int channels, float eps) {
    Checks.positive(channels, "num_features");
    ParamSpec weight = owner.param("weight", Layout.AS_IS, channels);
    ParamSpec bias = owner.param("bias", Layout.AS_IS, channels);
    ParamSpec mean = owner.buffer("running_mean", DType.F32, channels);
    ParamSpec var = owner.buffer("running_var", DType.F32, channels);
    owner.buffer("num_batches_tracked", DType.I64);
    return new BatchNormState(weight, bias, mean, var, eps);
  }

  /** The per-channel map {@code y = x·scale + shift} a BatchNorm applies in inference. */
  record Affine(Operand<TFloat32> scale, Operand<TFloat32> shift) {}

  /** {@code scale = weight / sqrt(var + eps)}, {@code shift = bias − mean·scale}. */
  Affine affine(Ctx ctx) {
    Ops tf = ctx.tf();
    Operand<TFloat32> scale = tf.math.mul(
        tf.math.rsqrt(tf.math.add(ctx.read(runningVar), tf.constant(eps))), ctx.read(weight));
    Operand<TFloat32> shift =
        tf.math.sub(ctx.read(bias), tf.math.mul(ctx.read(runningMean), scale));
    return new Affine(scale, shift);
  }

  /**
   * {@code ((x - mean) / sqrt(var + eps) * weight + bias) * factor} per channel (last axis), the
   * factor taken into weight and bias ({@code factor} 1 or a power of two, so that it is exact).
   */
  Operand<TFloat32> apply(Ctx ctx, Operand<TFloat32> x, float factor) {
    Ops tf = ctx.tf();
    Operand<TFloat32> w = ctx.read(weight);
    Operand<TFloat32> b = ctx.read(bias);
    if (factor != 1f) {
      w = tf.math.mul(w, tf.constant(factor));
      b = tf.math.mul(b, tf.constant(factor));
    }
    return Norms.batchNorm(tf, x, w, b, ctx.read(runningMean), ctx.read(runningVar), eps);
  }
}
