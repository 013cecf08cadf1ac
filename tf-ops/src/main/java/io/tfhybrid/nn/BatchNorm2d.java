package io.tfhybrid.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.BatchNorm2d} in inference mode (running statistics). eps defaults to PyTorch's 1e-5
 * (TF FusedBatchNorm defaults to 1e-4 and Keras to 1e-3, both wrong for these checkpoints).
 * {@code num_batches_tracked} is in the state_dict, loaded, and unused.
 */
public final class BatchNorm2d extends Module {
  public static final float DEFAULT_EPS = 1e-5f;

  private final BatchNormState state;

  public BatchNorm2d(int channels) {
    this(channels, DEFAULT_EPS);
  }

  public BatchNorm2d(int channels, float eps) {
    state = BatchNormState.declare(this, channels, eps);
  }

  BatchNormState state() {
    return state;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return state.apply(ctx, x, 1f);
  }

  /** Exact: γ and β halved (then so are the scale, the shift and every step after them). */
  @Override
  protected Operand<TFloat32> forwardHalf(Ctx ctx, Operand<TFloat32> x) {
    return state.apply(ctx, x, 0.5f);
  }
}
