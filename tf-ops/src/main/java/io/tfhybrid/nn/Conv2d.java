package io.tfhybrid.nn;

import io.tfhybrid.ops.Activations;
import io.tfhybrid.ops.Conv;
import io.tfhybrid.ops.Dense;
import io.tfhybrid.ops.Shapes;
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

  /**
   * A convolution built the way PyTorch's {@code nn.Conv2d(in, out, kernel_size, ...)} is called:
   * {@code Conv2d.builder(in, out, 3).stride(2).padding(1).groups(in).bias(false).build()}.
   * Unset options take PyTorch's defaults: stride 1, padding 0, groups 1, bias {@code true}.
   */
  public static Builder builder(int in, int out, int kernelSize) {
    return new Builder(in, out, kernelSize, kernelSize);
  }

  /** The same with a rectangular kernel ({@code kernel_size=(kh, kw)}). */
  public static Builder builder(int in, int out, int kernelH, int kernelW) {
    return new Builder(in, out, kernelH, kernelW);
  }

  /** The keyword arguments of {@code nn.Conv2d}, with PyTorch's defaults. */
  public static final class Builder {
    private final int in;
    private final int out;
    private final int kernelH;
    private final int kernelW;
    private int strideH = 1;
    private int strideW = 1;
    private int padH;
    private int padW;
    private int groups = 1;
    private boolean bias = true;

    private Builder(int in, int out, int kernelH, int kernelW) {
      this.in = in;
      this.out = out;
      this.kernelH = kernelH;
      this.kernelW = kernelW;
    }

    /** {@code stride=s} (default 1). */
    public Builder stride(int s) {
      return stride(s, s);
    }

    /** {@code stride=(sh, sw)}. */
    public Builder stride(int sh, int sw) {
      this.strideH = sh;
      this.strideW = sw;
      return this;
    }

    /** {@code padding=p}, symmetric zero padding (default 0). */
    public Builder padding(int p) {
      return padding(p, p);
    }

    /** {@code padding=(ph, pw)}. */
    public Builder padding(int ph, int pw) {
      this.padH = ph;
      this.padW = pw;
      return this;
    }

    /** {@code groups=g} (default 1; {@code g == in} is depthwise). */
    public Builder groups(int g) {
      this.groups = g;
      return this;
    }

    /** {@code bias=b} (default {@code true}). */
    public Builder bias(boolean b) {
      this.bias = b;
      return this;
    }

    /** The layer; fails naming the first invalid argument. */
    public Conv2d build() {
      return new Conv2d(this);
    }
  }

  private Conv2d(Builder b) {
    this.inChannels = Checks.positive(b.in, "in_channels");
    this.outChannels = Checks.positive(b.out, "out_channels");
    this.kernelH = Checks.positive(b.kernelH, "kernel_size");
    this.kernelW = Checks.positive(b.kernelW, "kernel_size");
    this.strideH = Checks.positive(b.strideH, "stride");
    this.strideW = Checks.positive(b.strideW, "stride");
    this.padH = Checks.nonNegative(b.padH, "padding");
    this.padW = Checks.nonNegative(b.padW, "padding");
    this.groups = Checks.positive(b.groups, "groups");
    Checks.checkArg(inChannels % groups == 0 && outChannels % groups == 0,
        "groups (%s) must divide in_channels (%s) and out_channels (%s)", groups, inChannels,
        outChannels);
    if (isDepthwise()) {
      this.weight = depthwiseParam("weight", inChannels, outChannels, 1, kernelH, kernelW);
    } else {
      this.weight =
          param("weight", Layout.OIHW, outChannels, inChannels / groups, kernelH, kernelW);
    }
    this.bias = b.bias ? param("bias", Layout.AS_IS, outChannels) : null;
  }

  /**
   * A 1×1, stride-1, unpadded, ungrouped convolution with a bias is {@code nn.Linear} on the
   * channel axis, and runs as one: MatMul + BiasAdd on the rows {@code [N·H·W, in]}, reshaped once
   * ({@link Dense}), which TF's remapper fuses into {@code _FusedMatMul}, with a following GELU too
   * ({@link Activations#apply}). Without a bias it stays a Conv2D, so that a BatchNorm after it
   * fuses into the convolution ({@link io.tfhybrid.ops.Norms#batchNorm}).
   */
  private boolean isPointwiseLinear() {
    return isPointwise() && bias != null;
  }

  /** 1×1, stride 1, unpadded, ungrouped: {@code nn.Linear} on the channel axis. */
  boolean isPointwise() {
    return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
        && groups == 1;
  }

  /**
   * This pointwise convolution followed by a BatchNorm's per-channel map, as one {@link Dense}:
   * {@code rows · (W·scale) + (b·scale + shift)}. The filter and bias are computed in the graph from
   * the variables on every run (no second copy of the weights is stored); a following activation on
   * the rows then fuses into the MatMul too ({@code _FusedMatMul[BiasAdd, GeluExact]}), which no
   * Conv2D fusion offers.
   */
  Operand<TFloat32> forwardWithNorm(Ctx ctx, Operand<TFloat32> x, BatchNormState.Affine norm) {
    Checks.checkState(isPointwise(), "forwardWithNorm needs a 1x1 stride-1 unpadded conv");
    var tf = ctx.tf();
    Operand<TFloat32> w = tf.math.mul(
        Shapes.reshape(tf, ctx.read(weight), inChannels, outChannels), norm.scale());
    Operand<TFloat32> b = bias == null
        ? norm.shift()
        : tf.math.add(tf.math.mul(ctx.read(bias), norm.scale()), norm.shift());
    return Dense.apply(tf, x, w, b);
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
    if (isPointwiseLinear()) {
      Operand<TFloat32> wInOut = Shapes.reshape(tf, ctx.read(weight), inChannels, outChannels);
      return Dense.apply(tf, x, wInOut, ctx.read(bias));
    }
    Operand<TFloat32> y = isDepthwise()
        ? Conv.depthwise(tf, x, ctx.read(weight), strideH, strideW, padH, padW)
        : Conv.conv2d(tf, x, ctx.read(weight), strideH, strideW, padH, padW, groups);
    return bias == null ? y : tf.nn.biasAdd(y, ctx.read(bias));
  }
}
