package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.StrideMode;
import io.tfhybrid.nn.BatchNormAct2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Activations;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code MbConvBlock} (block type C, spec §6). Keys in registration order: {@code
 * shortcut.expand.*} (stride 2 and a width change), {@code pre_norm}, {@code conv1_1x1}, {@code
 * norm1}, {@code conv2_kxk}, {@code se_early.*} or {@code norm2} + {@code se.*}, {@code
 * conv3_1x1}.
 */
final class CoAtNetTimmMbConv extends Module {
  private final CoAtNetTimmDownsample shortcut; // null at stride 1
  private final BatchNormAct2d preNorm;
  private final CoAtNetTimmDownsample down; // null unless stride 2 in 'pool' mode
  private final Conv2d conv1;
  private final BatchNormAct2d norm1;
  private final Conv2d conv2;
  private final CoAtNetTimmSe seEarly; // null unless SE early
  private final BatchNormAct2d norm2;
  private final CoAtNetTimmSe se; // null unless SE late
  private final Conv2d conv3;

  CoAtNetTimmMbConv(int in, int out, int stride, CoAtNetTimmConvConfig c) {
    float eps = CoAtNetTimmConfig.CONV_NORM_EPS;
    // Parity quirk: expansion (and SE width) from the block *input*: mid = make_divisible(4*in).
    int mid = CoAtNetTimmConfig.midWidth(in);
    boolean strided = stride == 2;
    shortcut =
        strided
            ? child("shortcut", new CoAtNetTimmDownsample(in, out, c.poolType(), c.outputBias()))
            : null;
    // Parity quirk: the pre-norm's SiLU exists for the _rw configs, not for nano/rmlp_nano.
    preNorm =
        child(
            "pre_norm",
            new BatchNormAct2d(
                in, eps, c.preNormAct() ? Activations.Kind.SILU : Activations.Kind.IDENTITY));
    boolean poolMode = strided && c.strideMode() == StrideMode.POOL;
    // Parity quirk: 'pool' stride mode pools AFTER the pre-norm (+act), with avg2 always (timm's
    // downsample_pool_type), even where the shortcut uses max pools (coatnet_rmlp_1_rw_224).
    down = poolMode ? child("down", new CoAtNetTimmDownsample(in, in, PoolType.AVG2, true)) : null;
    conv1 = child("conv1_1x1", Conv2d.builder(in, mid, 1).bias(false).build());
    norm1 = child("norm1", new BatchNormAct2d(mid, eps, Activations.Kind.SILU));
    // Parity quirk: 'dw' stride mode strides the depthwise 3x3 with symmetric padding 1.
    int dwStride = strided && c.strideMode() == StrideMode.DW ? 2 : 1;
    conv2 = child("conv2_kxk", Conv2d.builder(mid, mid, 3)
        .stride(dwStride).padding(1).groups(mid).bias(false).build());
    int rd = CoAtNetTimmConfig.seWidth(mid);
    // Parity quirk: SE early sits between conv2_kxk and norm2 (se_early.*), late after norm2 (se.*).
    seEarly = c.attnEarly() ? child("se_early", new CoAtNetTimmSe(mid, rd, c.attnAct())) : null;
    norm2 = child("norm2", new BatchNormAct2d(mid, eps, Activations.Kind.SILU));
    se = c.attnEarly() ? null : child("se", new CoAtNetTimmSe(mid, rd, c.attnAct()));
    conv3 = child("conv3_1x1", Conv2d.builder(mid, out, 1).bias(c.outputBias()).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Operand<TFloat32> sc = shortcut == null ? x : call(shortcut, ctx, x);
    Operand<TFloat32> h = call(preNorm, ctx, x);
    if (down != null) {
      h = call(down, ctx, h);
    }
    h = call(conv2, ctx, call(norm1, ctx, call(conv1, ctx, h)));
    if (seEarly != null) {
      h = call(seEarly, ctx, h);
    }
    h = call(norm2, ctx, h);
    if (se != null) {
      h = call(se, ctx, h);
    }
    // No activation after the residual sum.
    return ctx.tf().math.add(call(conv3, ctx, h), sc);
  }
}
