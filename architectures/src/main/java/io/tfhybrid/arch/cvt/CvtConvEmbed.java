package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code ConvEmbed} ({@code stage{i}.patch_embed}): a strided convolution with
 * bias, then a LayerNorm over the channels of every pixel. NHWC map in, NHWC map out (the
 * reference's flatten → LayerNorm → unflatten is a LayerNorm on the last axis here).
 */
final class CvtConvEmbed extends Module {
  private final Conv2d proj;
  private final LayerNorm norm;

  CvtConvEmbed(int inChans, CvtStageConfig s) {
    // Parity quirk: symmetric PyTorch padding (p on all four sides, floor output size); Conv2d
    // pads explicitly and never uses TF SAME for strided convs (SAME would pad 1/2, not 2/2).
    proj = child("proj", Conv2d.builder(inChans, s.dimEmbed(), s.patchSize())
        .stride(s.patchStride()).padding(s.patchPadding()).build());
    norm = child("norm", new LayerNorm(s.dimEmbed(), Cvt.LN_EPS));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    return call(norm, ctx, call(proj, ctx, xNhwc));
  }
}
