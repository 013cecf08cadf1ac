package io.tfhybrid.arch.transcnn;

import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.GroupNorm;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code Downsample} ({@code ds2}, {@code ds3}, {@code ds4}): 3×3 conv, stride 2, padding 1, with
 * bias, then GroupNorm. Output side {@code ceil(n / 2)}.
 */
final class HatNetDownsample extends Module {
  private final Conv2d conv;
  private final GroupNorm norm;

  HatNetDownsample(int inDim, int outDim) {
    // Parity quirk: the reference takes a kernel_size argument but hard-codes padding 1; only the
    // 3x3 kernel it always uses is offered here.
    conv = child("conv", Conv2d.builder(inDim, outDim, 3).stride(2).padding(1).build());
    norm = child("norm", new GroupNorm(1, outDim, HatNetConfig.NORM_EPS));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    // Parity quirk: GroupNorm but no activation after the downsample conv.
    return call(norm, ctx, call(conv, ctx, xNhwc));
  }
}
