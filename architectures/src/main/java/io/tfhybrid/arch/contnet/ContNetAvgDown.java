package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.AvgPool2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The avg-down shortcut of a stride-2 stage ({@code use_avgdown=True}): {@code
 * nn.Sequential(avgpool=AvgPool2d(2, 2), conv=ConvBN(P, 2P, 1, 1, bn=False))}.
 */
final class ContNetAvgDown extends Module {
  private final AvgPool2d avgpool;
  private final ContNetConvBn conv;

  ContNetAvgDown(int planes, int outPlanes) {
    avgpool = child("avgpool", AvgPool2d.builder(2).build());
    // Parity quirk: the extra Sequential level renames the shortcut weight from
    // 'downsample.conv.weight' to 'downsample.conv.conv.weight' (stride-2 stages only).
    conv = child("conv", new ContNetConvBn(planes, outPlanes, 1, 1));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(conv, ctx, call(avgpool, ctx, x));
  }
}
