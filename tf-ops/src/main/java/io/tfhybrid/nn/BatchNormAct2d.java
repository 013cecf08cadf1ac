package io.tfhybrid.nn;

import io.tfhybrid.ops.Activations;
import io.tfhybrid.ops.Norms;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code BatchNormAct2d}: a {@code nn.BatchNorm2d} (same five state_dict entries, directly
 * under the module: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var},
 * {@code num_batches_tracked}) followed by an activation inside the same module, so the module's
 * output is the activated map. {@link Activations.Kind#IDENTITY} is timm's {@code apply_act=False}.
 */
public final class BatchNormAct2d extends Module {
  private final float eps;
  private final Activations.Kind act;
  private final ParamSpec weight;
  private final ParamSpec bias;
  private final ParamSpec runningMean;
  private final ParamSpec runningVar;

  public BatchNormAct2d(int channels, float eps, Activations.Kind act) {
    Checks.positive(channels, "num_features");
    Checks.checkArg(act != null, "act is required (IDENTITY for none)");
    this.eps = eps;
    this.act = act;
    weight = param("weight", Layout.AS_IS, channels);
    bias = param("bias", Layout.AS_IS, channels);
    runningMean = buffer("running_mean", DType.F32, channels);
    runningVar = buffer("running_var", DType.F32, channels);
    buffer("num_batches_tracked", DType.I64);
  }

  public Activations.Kind act() {
    return act;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Operand<TFloat32> y =
        Norms.batchNorm(
            ctx.tf(),
            x,
            ctx.read(weight),
            ctx.read(bias),
            ctx.read(runningMean),
            ctx.read(runningVar),
            eps);
    return Activations.apply(ctx.tf(), act, y);
  }
}
