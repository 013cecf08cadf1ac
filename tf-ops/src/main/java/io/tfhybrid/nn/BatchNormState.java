package io.tfhybrid.nn;

import io.tfhybrid.ops.Norms;
import org.tensorflow.Operand;
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

  /** {@code (x - mean) / sqrt(var + eps) * weight + bias} per channel (last axis). */
  Operand<TFloat32> apply(Ctx ctx, Operand<TFloat32> x) {
    return Norms.batchNorm(ctx.tf(), x, ctx.read(weight), ctx.read(bias), ctx.read(runningMean),
        ctx.read(runningVar), eps);
  }
}
