package io.tfhybrid.nn;

import io.tfhybrid.ops.Pooling;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** {@code nn.MaxPool2d(k, s, p, ceil_mode)}: padding cells are −∞, as in PyTorch. */
public final class MaxPool2d extends Module {
  private final Pool2dBuilder.Window window;

  /**
   * A max-pool built the way {@code nn.MaxPool2d(kernel_size, ...)} is called:
   * {@code MaxPool2d.builder(3).stride(2).padding(1).build()}. Unset options take PyTorch's
   * defaults: stride = kernel_size, padding 0, {@code ceil_mode=False}.
   */
  public static Builder builder(int kernelSize) {
    return new Builder(kernelSize);
  }

  /** The keyword arguments of {@code nn.MaxPool2d}, with PyTorch's defaults. */
  public static final class Builder extends Pool2dBuilder<Builder> {
    private Builder(int kernel) {
      super(kernel);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The layer; fails naming the first invalid argument. */
    public MaxPool2d build() {
      return new MaxPool2d(window());
    }
  }

  private MaxPool2d(Pool2dBuilder.Window window) {
    this.window = window;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Pooling.maxPool(ctx.tf(), x, window.kernel(), window.stride(), window.padding(),
        window.ceilMode());
  }
}
