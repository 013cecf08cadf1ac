package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.MaxPool2d;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code layer0}: {@code conv} = ConvBN(3, C0, 7, stride 2, bn=False) (padding 3), then {@code
 * maxpool} = MaxPool2d(3, 2, 1) with −∞ padding. Output side {@code ceil(H/4)}.
 */
final class ContNetStem extends Module {
  private final ContNetConvBn conv;
  private final MaxPool2d maxpool;

  ContNetStem(int inplanes) {
    conv = child("conv", new ContNetConvBn(ContNetConfig.IN_CHANNELS, inplanes, 7, 2));
    maxpool = child("maxpool", MaxPool2d.builder(3).stride(2).padding(1).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    // Parity quirk: no BN and no ReLU in the stem; the (possibly negative) conv output goes
    // straight into a max-pool whose padding is −∞ (never 0).
    return call(maxpool, ctx, call(conv, ctx, x));
  }
}
