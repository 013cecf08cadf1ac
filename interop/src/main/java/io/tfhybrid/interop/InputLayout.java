package io.tfhybrid.interop;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;

/**
 * The layout of an image batch handed to the library: PyTorch's NCHW, TensorFlow's NHWC, or
 * {@link #AUTO} (NCHW when dimension 1 has the 3 RGB channels).
 */
public enum InputLayout {
  /** NCHW when dimension 1 is 3, otherwise NHWC. */
  AUTO,
  /** {@code [N, 3, H, W]}, as PyTorch feeds a model. */
  NCHW,
  /** {@code [N, H, W, 3]}, as the graphs and TF Serving take it. */
  NHWC;

  /**
   * The batch as NHWC float32 (the graphs' layout).
   *
   * @param what the input's name for messages (e.g. a file name)
   * @throws TfHybridException when the tensor is not a 4-d batch with 3 channels where this layout
   *     puts them
   */
  public HostTensor toNhwc(HostTensor x, String what) {
    long[] s = x.shape();
    if (s.length != 4) {
      throw new TfHybridException(
          what,
          "a batch [N, 3, H, W] or [N, H, W, 3]",
          Checks.shape(s),
          "add the batch dimension (x[None] in numpy)");
    }
    boolean nchw = this == NCHW || (this == AUTO && s[1] == 3);
    if (nchw && s[1] != 3 || !nchw && s[3] != 3) {
      throw new TfHybridException(
          what,
          "3 RGB channels in " + (nchw ? "dim 1 (NCHW)" : "dim 3 (NHWC)"),
          Checks.shape(s),
          "check --layout");
    }
    return nchw ? Layouts.nchwToNhwc(x) : HostTensor.ofFloats(s, x.toFloatArray());
  }
}
