package io.tfhybrid.nn;

import io.tfhybrid.ops.Conv;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.Conv2d} with PyTorch semantics on NHWC input: symmetric zero padding, floor output
 * size, groups (depthwise when {@code groups == in}). Weights arrive OIHW and are held HWIO (or
 * {@code [kh, kw, C, m]} for depthwise).
 */
public final class Conv2d extends Module {
  private final int inChannels;
  private final int outChannels;
  private final int kernelH;
  private final int kernelW;
  private final int strideH;
  private final int strideW;
  private final int padH;
  private final int padW;
  private final int groups;
  private final ParamSpec weight;
  private final ParamSpec bias;

  /** Square kernel, stride and padding. */
  public Conv2d(int in, int out, int kernel, int stride, int padding, int groups, boolean bias) {
    this(in, out, kernel, kernel, stride, stride, padding, padding, groups, bias);
  }

  /** Dense (groups = 1) square convolution. */
  public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
    this(in, out, kernel, stride, padding, 1, bias);
  }

  public Conv2d(int in, int out, int kernelH, int kernelW, int strideH, int strideW, int padH,
      int padW, int groups, boolean bias) {
    this.inChannels = Checks.positive(in, "in_channels");
    this.outChannels = Checks.positive(out, "out_channels");
    this.kernelH = Checks.positive(kernelH, "kernel_size");
    this.kernelW = Checks.positive(kernelW, "kernel_size");
    this.strideH = Checks.positive(strideH, "stride");
    this.strideW = Checks.positive(strideW, "stride");
    this.padH = Checks.nonNegative(padH, "padding");
    this.padW = Checks.nonNegative(padW, "padding");
    this.groups = Checks.positive(groups, "groups");
    Checks.checkArg(in % groups == 0 && out % groups == 0,
        "groups (%s) must divide in_channels (%s) and out_channels (%s)", groups, in, out);
    if (isDepthwise()) {
      this.weight = depthwiseParam("weight", in, out, 1, kernelH, kernelW);
    } else {
      this.weight = param("weight", Layout.OIHW, out, in / groups, kernelH, kernelW);
    }
    this.bias = bias ? param("bias", Layout.AS_IS, out) : null;
  }

  /** Depthwise: one group per input channel (channel multiplier {@code out / in}). */
  public boolean isDepthwise() {
    return groups > 1 && groups == inChannels;
  }

  public int inChannels() {
    return inChannels;
  }

  public int outChannels() {
    return outChannels;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    var tf = ctx.tf();
    Operand<TFloat32> y = isDepthwise()
        ? Conv.depthwise(tf, x, ctx.read(weight), strideH, strideW, padH, padW)
        : Conv.conv2d(tf, x, ctx.read(weight), strideH, strideW, padH, padW, groups);
    return bias == null ? y : tf.nn.biasAdd(y, ctx.read(bias));
  }
}
