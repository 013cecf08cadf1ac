package io.tfhybrid.nn;

import io.tfhybrid.ops.Activations;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code BatchNormAct2d}: a {@code nn.BatchNorm2d} (same five state_dict entries, directly
 * under the module: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var},
 * {@code num_batches_tracked}) followed by an activation inside the same module, so the module's
 * output is the activated map. {@link Activations.Kind#IDENTITY} is timm's {@code apply_act=False}.
 */
public final class BatchNormAct2d extends Module {
  private final BatchNormState state;
  private final Activations.Kind act;

  public BatchNormAct2d(int channels, float eps, Activations.Kind act) {
    Checks.checkArg(act != null, "act is required (IDENTITY for none)");
    state = BatchNormState.declare(this, channels, eps);
    this.act = act;
  }

  public Activations.Kind act() {
    return act;
  }

  /** A GELU takes the norm's output halved exactly ({@link Activations#geluOfHalf}). */
  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    if (act == Activations.Kind.GELU) {
      return Activations.geluOfHalf(ctx.tf(), state.apply(ctx, x, 0.5f));
    }
    return Activations.apply(ctx.tf(), act, state.apply(ctx, x, 1f));
  }
}
