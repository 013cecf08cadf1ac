package io.tfhybrid.nn;

import io.tfhybrid.ops.Pooling;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** {@code nn.AvgPool2d(k, s, p, ceil_mode, count_include_pad)} with PyTorch's divisor rules. */
public final class AvgPool2d extends Module {
  private final Pool2dBuilder.Window window;
  private final boolean countIncludePad;

  /**
   * An average pool built the way {@code nn.AvgPool2d(kernel_size, ...)} is called:
   * {@code AvgPool2d.builder(3).stride(1).padding(1).countIncludePad(false).build()}. Unset
   * options take PyTorch's defaults: stride = kernel_size, padding 0, {@code ceil_mode=False},
   * {@code count_include_pad=True}.
   */
  public static Builder builder(int kernelSize) {
    return new Builder(kernelSize);
  }

  /** The keyword arguments of {@code nn.AvgPool2d}, with PyTorch's defaults. */
  public static final class Builder extends Pool2dBuilder<Builder> {
    private boolean countIncludePad = true;

    private Builder(int kernel) {
      super(kernel);
    }

    @Override
    Builder self() {
      return this;
    }

    /** {@code count_include_pad=c}: whether padding cells count in the divisor (default true). */
    public Builder countIncludePad(boolean c) {
      this.countIncludePad = c;
      return this;
    }

    /** The layer; fails naming the first invalid argument. */
    public AvgPool2d build() {
      return new AvgPool2d(window(), countIncludePad);
    }
  }

  private AvgPool2d(Pool2dBuilder.Window window, boolean countIncludePad) {
    this.window = window;
    this.countIncludePad = countIncludePad;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Pooling.avgPool(ctx.tf(), x, window.kernel(), window.stride(), window.padding(),
        window.ceilMode(), countIncludePad);
  }
}
