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

  /**
   * A max-pool built the way {@code nn.MaxPool2d(kernel_size, ...)} is called:
   * {@code MaxPool2d.builder(3).stride(2).padding(1).build()}. Unset options take PyTorch's
   * defaults: stride = kernel_size, padding 0, {@code ceil_mode=False}.
   */
  public static Builder builder(int kernelSize) {
    return new Builder(kernelSize);
  }

  /** The keyword arguments of {@code nn.MaxPool2d}, with PyTorch's defaults. */
  public static final class Builder {
    private final int kernel;
    private int stride;
    private int padding;
    private boolean ceilMode;

    private Builder(int kernel) {
      this.kernel = kernel;
      this.stride = kernel;
    }

    /** {@code stride=s} (default: the kernel size). */
    public Builder stride(int s) {
      this.stride = s;
      return this;
    }

    /** {@code padding=p}: −∞ cells on every side (default 0). */
    public Builder padding(int p) {
      this.padding = p;
      return this;
    }

    /** {@code ceil_mode=c} (default {@code false}). */
    public Builder ceilMode(boolean c) {
      this.ceilMode = c;
      return this;
    }

    /** The layer; fails naming the first invalid argument. */
    public MaxPool2d build() {
      return new MaxPool2d(this);
    }
  }

  private MaxPool2d(Builder b) {
    this.kernel = Checks.positive(b.kernel, "kernel_size");
    this.stride = Checks.positive(b.stride, "stride");
    this.padding = Checks.nonNegative(b.padding, "padding");
    this.ceilMode = b.ceilMode;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Pooling.maxPool(ctx.tf(), x, kernel, stride, padding, ceilMode);
  }
}
