package io.tfhybrid.nn;

import io.tfhybrid.ops.Pooling;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** {@code nn.AvgPool2d(k, s, p, ceil_mode, count_include_pad)} with PyTorch's divisor rules. */
public final class AvgPool2d extends Module {
  private final int kernel;
  private final int stride;
  private final int padding;
  private final boolean ceilMode;
  private final boolean countIncludePad;

  public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
    this.kernel = Checks.positive(kernel, "kernel_size");
    this.stride = Checks.positive(stride, "stride");
    this.padding = Checks.nonNegative(padding, "padding");
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
  }

  /** PyTorch defaults: no padding, floor mode, count_include_pad=True. */
  public AvgPool2d(int kernel, int stride) {
    this(kernel, stride, 0, false, true);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Pooling.avgPool(ctx.tf(), x, kernel, stride, padding, ceilMode, countIncludePad);
  }
}
