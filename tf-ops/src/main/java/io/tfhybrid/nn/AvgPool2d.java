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
  public static final class Builder {
    private final int kernel;
    private int stride;
    private int padding;
    private boolean ceilMode;
    private boolean countIncludePad = true;

    private Builder(int kernel) {
      this.kernel = kernel;
      this.stride = kernel;
    }

    /** {@code stride=s} (default: the kernel size). */
    public Builder stride(int s) {
      this.stride = s;
      return this;
    }

    /** {@code padding=p}: zero cells on every side (default 0). */
    public Builder padding(int p) {
      this.padding = p;
      return this;
    }

    /** {@code ceil_mode=c} (default {@code false}). */
    public Builder ceilMode(boolean c) {
      this.ceilMode = c;
      return this;
    }

    /** {@code count_include_pad=c}: whether padding cells count in the divisor (default true). */
    public Builder countIncludePad(boolean c) {
      this.countIncludePad = c;
      return this;
    }

    /** The layer; fails naming the first invalid argument. */
    public AvgPool2d build() {
      return new AvgPool2d(this);
    }
  }

  private AvgPool2d(Builder b) {
    this.kernel = Checks.positive(b.kernel, "kernel_size");
    this.stride = Checks.positive(b.stride, "stride");
    this.padding = Checks.nonNegative(b.padding, "padding");
    this.ceilMode = b.ceilMode;
    this.countIncludePad = b.countIncludePad;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Pooling.avgPool(ctx.tf(), x, kernel, stride, padding, ceilMode, countIncludePad);
  }
}
