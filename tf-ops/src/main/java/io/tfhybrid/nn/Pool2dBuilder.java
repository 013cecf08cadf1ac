package io.tfhybrid.nn;

/**
 * The keyword arguments {@code nn.MaxPool2d} and {@code nn.AvgPool2d} share, with PyTorch's
 * defaults: {@code stride} = kernel_size, {@code padding} 0, {@code ceil_mode=False}.
 *
 * @param <B> the pool's own builder, returned by every option
 */
public abstract class Pool2dBuilder<B extends Pool2dBuilder<B>> {
  /** The checked window of a pool. */
  record Window(int kernel, int stride, int padding, boolean ceilMode) {}

  private final int kernel;
  private int stride;
  private int padding;
  private boolean ceilMode;

  Pool2dBuilder(int kernel) {
    this.kernel = kernel;
    this.stride = kernel;
  }

  abstract B self();

  /** {@code stride=s} (default: the kernel size). */
  public B stride(int s) {
    this.stride = s;
    return self();
  }

  /** {@code padding=p} cells on every side (default 0). */
  public B padding(int p) {
    this.padding = p;
    return self();
  }

  /** {@code ceil_mode=c} (default {@code false}). */
  public B ceilMode(boolean c) {
    this.ceilMode = c;
    return self();
  }

  /** The window; fails naming the first invalid argument. */
  Window window() {
    return new Window(Checks.positive(kernel, "kernel_size"), Checks.positive(stride, "stride"),
        Checks.nonNegative(padding, "padding"), ceilMode);
  }
}
