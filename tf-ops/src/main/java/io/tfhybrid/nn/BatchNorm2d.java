package io.tfhybrid.nn;

import io.tfhybrid.ops.Norms;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.BatchNorm2d} in inference mode (running statistics). eps defaults to PyTorch's 1e-5
 * (TF FusedBatchNorm defaults to 1e-4 and Keras to 1e-3, both wrong for these checkpoints).
 * {@code num_batches_tracked} is in the state_dict, loaded, and unused.
 */
public final class BatchNorm2d extends Module {
  public static final float DEFAULT_EPS = 1e-5f;

  private final float eps;
  private final ParamSpec weight;
  private final ParamSpec bias;
  private final ParamSpec runningMean;
  private final ParamSpec runningVar;

  public BatchNorm2d(int channels) {
    this(channels, DEFAULT_EPS);
  }

  public BatchNorm2d(int channels, float eps) {
    Checks.positive(channels, "num_features");
    this.eps = eps;
    weight = param("weight", Layout.AS_IS, channels);
    bias = param("bias", Layout.AS_IS, channels);
    runningMean = buffer("running_mean", DType.F32, channels);
    runningVar = buffer("running_var", DType.F32, channels);
    buffer("num_batches_tracked", DType.I64);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Norms.batchNorm(ctx.tf(), x, ctx.read(weight), ctx.read(bias), ctx.read(runningMean),
        ctx.read(runningVar), eps);
  }
}
