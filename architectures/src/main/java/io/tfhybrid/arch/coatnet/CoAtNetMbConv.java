package io.tfhybrid.arch.coatnet;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.MaxPool2d;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code MBConv(inp, oup, image_size, downsample, expansion=4)} (spec §4), block
 * type 'C'. Keys: {@code proj.weight} (downsampling block only), {@code conv.norm.*} (the pre-norm
 * BatchNorm), {@code conv.fn.0..8} (1×1 expansion, BN, GELU, depthwise 3×3, BN, GELU, SE, 1×1
 * projection, BN).
 */
final class CoAtNetMbConv extends Module {
  private final boolean downsample;
  private final MaxPool2d pool; // null unless downsample
  private final Conv2d proj; // null unless downsample
  private final CoAtNetPreNorm conv;

  CoAtNetMbConv(int inp, int oup, boolean downsample) {
    this.downsample = downsample;
    // Parity quirk: the reference's expansion-1 MBConv form is unreachable (always 4): not ported.
    int hidden = inp * CoAtNetConfig.MBCONV_EXPANSION;
    if (downsample) {
      // Parity quirk: max-pool 3x3/s2/p1 with -inf padding (not TF SAME) on the shortcut.
      pool = child("pool", MaxPool2d.builder(3).stride(2).padding(1).build());
      // Parity quirk: every downsampling block has the 1x1 shortcut proj, even when inp == oup.
      proj = child("proj", Conv2d.builder(inp, oup, 1).bias(false).build());
    } else {
      pool = null;
      proj = null;
    }
    Sequential fn = new Sequential(
        // Parity quirk: stride 2 sits in the 1x1 expansion conv (it samples even positions).
        Conv2d.builder(inp, hidden, 1).stride(downsample ? 2 : 1).bias(false).build(),
        new BatchNorm2d(hidden, CoAtNetConfig.NORM_EPS),
        Act.gelu(),
        // Parity quirk: the depthwise 3x3 is always stride 1.
        Conv2d.builder(hidden, hidden, 3).padding(1).groups(hidden).bias(false).build(),
        new BatchNorm2d(hidden, CoAtNetConfig.NORM_EPS),
        Act.gelu(),
        new CoAtNetSe(inp, hidden),
        Conv2d.builder(hidden, oup, 1).bias(false).build(),
        new BatchNorm2d(oup, CoAtNetConfig.NORM_EPS));
    // Parity quirk: pre-norm BatchNorm on the full-resolution block input, before the strided conv.
    conv = child("conv", new CoAtNetPreNorm(new BatchNorm2d(inp, CoAtNetConfig.NORM_EPS), fn));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Operand<TFloat32> shortcut = downsample ? call(proj, ctx, call(pool, ctx, x)) : x;
    return ctx.tf().math.add(shortcut, call(conv, ctx, x));
  }
}
