package io.tfhybrid.nn;

import io.tfhybrid.ops.Norms;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.LayerNorm(C, eps)} over the last axis. The "channels_first" LayerNorm of
 * ConvNeXt-style code (normalising the C axis of an NCHW map, same keys) is the same operation on
 * our NHWC maps: use {@link #channelsFirst}. eps is always explicit: the references use 1e-5 and 1e-6.
 */
public final class LayerNorm extends Module {
  private final float eps;
  private final ParamSpec weight;
  private final ParamSpec bias;

  public LayerNorm(int channels, float eps) {
    Checks.positive(channels, "normalized_shape");
    this.eps = eps;
    weight = param("weight", Layout.AS_IS, channels);
    bias = param("bias", Layout.AS_IS, channels);
  }

  /** A channels-first LayerNorm of an NCHW reference, applied to an NHWC map. */
  public static LayerNorm channelsFirst(int channels, float eps) {
    return new LayerNorm(channels, eps);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Norms.layerNorm(ctx.tf(), x, ctx.read(weight), ctx.read(bias), eps);
  }
}
