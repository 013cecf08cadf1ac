package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A ConT block {@code layer<s>.ConTBlock<j>} (reference {@code ConTBlock}, spec §4.2): {@code a =
 * relu(bn(x))}; residual {@code out_conv(ste2(ste1(a)))}; shortcut {@code x} or {@code
 * downsample(a)}. Key order follows registration: downsample, bn, ste1, ste2, out_conv. Channel
 * doubling and spatial halving happen in the last block of a stage only.
 */
final class ContNetBlock extends Module {
  private final Module downsample; // null except in the last block of a stage
  private final BatchNorm2d bn;
  private final Act relu;
  private final ContNetSte ste1;
  private final ContNetSte ste2;
  private final ContNetConvBn outConv;

  ContNetBlock(ContNetStageConfig s, boolean lastBlock, ContNetFlags flags) {
    int p = s.planes();
    int out = s.outPlanes();
    if (!lastBlock) {
      downsample = null;
    } else if (s.last()) {
      // Parity quirk: the last stage's projection shortcut is a stride-1 1×1 conv that doubles
      // channels; use_avgdown never applies to it (its key stays 'downsample.conv.weight').
      downsample = child("downsample", new ContNetConvBn(p, out, 1, 1));
    } else if (flags.useAvgdown()) {
      downsample = child("downsample", new ContNetAvgDown(p, out));
    } else {
      // strided 1×1 conv: keeps the pixels at even rows/columns
      downsample = child("downsample", new ContNetConvBn(p, out, 1, 2));
    }
    bn = child("bn", new BatchNorm2d(p, ContNetConfig.BN_EPS));
    relu = child("relu", Act.relu());
    ste1 = child("ste1", new ContNetSte(p, s.mlpDim(), s.heads(), s.patchSize1(), flags));
    ste2 = child("ste2", new ContNetSte(p, s.mlpDim(), s.heads(), s.patchSize2(), flags));
    ContNetConvBn conv;
    if (!lastBlock) {
      conv = new ContNetConvBn(p, p, 3, 1);
    } else if (s.last()) {
      // Parity quirk: the last block of the last stage has a 1×1 out_conv (stride 1, P → 2P).
      conv = new ContNetConvBn(p, out, 1, 1);
    } else {
      conv = new ContNetConvBn(p, out, 3, 2); // 3×3, stride 2, padding 1
    }
    outConv = child("out_conv", conv);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Operand<TFloat32> a = call(relu, ctx, call(bn, ctx, x)); // pre-activation (capture '.relu')
    // Parity quirk: pre-activation block: BN+ReLU feeds the STEs and the projection shortcut, but
    // the identity shortcut adds the raw input x.
    Operand<TFloat32> shortcut = downsample == null ? x : call(downsample, ctx, a);
    Operand<TFloat32> r = call(ste1, ctx, a);
    r = call(ste2, ctx, r);
    r = call(outConv, ctx, r);
    // Nothing follows the add (no BN/ReLU); the reference's dropout is identity at inference.
    return ctx.tf().math.add(r, shortcut);
  }
}
