package io.tfhybrid.nn;

import io.tfhybrid.ops.Pooling;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** {@code nn.MaxPool2d(k, s, p, ceil_mode)}: padding cells are −∞, as in PyTorch. */
public final class MaxPool2d extends Module {
  private final int kernel;
  private final int stride;
  private final int padding;
  private final boolean ceilMode;

  public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
    this.kernel = Checks.positive(kernel, "kernel_size");
    this.stride = Checks.positive(stride, "stride");
    this.padding = Checks.nonNegative(padding, "padding");
    this.ceilMode = ceilMode;
  }

  public MaxPool2d(int kernel, int stride, int padding) {
    this(kernel, stride, padding, false);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Pooling.maxPool(ctx.tf(), x, kernel, stride, padding, ceilMode);
  }
}
