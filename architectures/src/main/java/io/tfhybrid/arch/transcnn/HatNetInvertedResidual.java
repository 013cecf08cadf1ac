package io.tfhybrid.arch.transcnn;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.GroupNorm;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code InvertedResidual} ({@code blocks.S.I.conv}): GN → 1×1 expand → SiLU → k×k
 * depthwise → SiLU → 1×1 project → GN. Pre-norm, no activation at the end; the block adds the
 * residual.
 * {@code Dropout2d} is an identity in inference and holds no Sequential index, so it is omitted.
 */
final class HatNetInvertedResidual extends Module {
  private final Sequential conv1;
  private final Sequential conv2;
  private final Sequential conv3;

  HatNetInvertedResidual(HatNetStageConfig s) {
    int dim = s.dim();
    int hidden = s.hiddenDim();
    int k = s.kernelSize();
    // Parity quirk: the three IRB convs have no bias (unlike every attention/stem/downsample conv).
    conv1 = child("conv1", new Sequential(
        new GroupNorm(1, dim, HatNetConfig.NORM_EPS),
        Conv2d.builder(dim, hidden, 1).bias(false).build(),
        Act.silu()));
    conv2 = child("conv2", new Sequential(
        Conv2d.builder(hidden, hidden, k).padding((k - 1) / 2).groups(hidden).bias(false).build(),
        Act.silu()));
    conv3 = child("conv3", new Sequential(
        Conv2d.builder(hidden, dim, 1).bias(false).build(),
        new GroupNorm(1, dim, HatNetConfig.NORM_EPS)));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Operand<TFloat32> y = call(conv1, ctx, xNhwc);
    y = call(conv2, ctx, y);
    return call(conv3, ctx, y);
  }
}
