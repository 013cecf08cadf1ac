package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** timm's {@code LayerScale2d}: {@code x * gamma} per channel (key {@code gamma} [C]). */
final class CoAtNetTimmLayerScale extends Module {
  private final ParamSpec gamma;

  CoAtNetTimmLayerScale(int channels) {
    gamma = param("gamma", Layout.AS_IS, channels);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    return ctx.tf().math.mul(xNhwc, ctx.read(gamma));
  }
}
