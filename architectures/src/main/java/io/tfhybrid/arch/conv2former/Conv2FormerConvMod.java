package io.tfhybrid.arch.conv2former;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Convolutional modulation ({@code stages.i.j.attn}): {@code proj(DWk(GELU(att0(u))) ⊙ v(u))}
 * with {@code u = LN(x)}.
 */
final class Conv2FormerConvMod extends Module {
  private final LayerNorm norm;
  private final Sequential att;
  private final Conv2d v;
  private final Conv2d proj;

  Conv2FormerConvMod(int dim, int kernelSize) {
    norm = child("norm", LayerNorm.channelsFirst(dim, Conv2FormerConfig.LN_EPS));
    // Parity quirk: one kernel size for all stages, zero padding k//2, even where the map is
    // smaller than the kernel (11x11 on the 7x7 stage-3 map at 224).
    att = child("att", new Sequential(
        Conv2d.builder(dim, dim, 1).build(),
        Act.gelu(),
        Conv2d.builder(dim, dim, kernelSize).padding(kernelSize / 2).groups(dim).build()));
    v = child("v", Conv2d.builder(dim, dim, 1).build());
    proj = child("proj", Conv2d.builder(dim, dim, 1).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Operand<TFloat32> u = call(norm, ctx, x);
    // Parity quirk: 'a' is the raw depthwise output (bias included) — no sigmoid or softmax.
    Operand<TFloat32> a = call(att, ctx, u);
    Operand<TFloat32> value = call(v, ctx, u);
    return call(proj, ctx, ctx.tf().math.mul(a, value));
  }
}
