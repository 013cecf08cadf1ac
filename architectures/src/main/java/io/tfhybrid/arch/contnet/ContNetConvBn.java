package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code ConvBN(in, out, k, stride, bn=False)}: an {@code nn.Sequential} holding
 * only {@code conv} (no bias, padding (k−1)/2), hence keys such as {@code out_conv.conv.weight}.
 * The {@code bn=True} form is only used by the unreachable {@code tweak_C} stem and is not offered.
 */
final class ContNetConvBn extends Module {
  private final Conv2d conv;

  ContNetConvBn(int in, int out, int kernel, int stride) {
    conv = child("conv", Conv2d.builder(in, out, kernel)
        .stride(stride).padding((kernel - 1) / 2).bias(false).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(conv, ctx, x);
  }
}
