package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.TokenGrid;
import io.tfhybrid.ops.Attention;
import io.tfhybrid.ops.Layouts;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Attention with convolutional projection ({@code stage{i}.blocks.{j}.attn}): the grid tokens go
 * through depthwise-conv + BN projections (stride 1 for q, 2 for k/v), the class token bypasses
 * them and is prepended to q, k and v, then {@code proj_q/k/v}, multi-head softmax attention and
 * the output projection {@code proj}.
 */
final class CvtAttention extends Module {
  private final int numHeads;
  private final boolean withClsToken;
  private final float scale;
  private final CvtConvProjection convProjQ;
  private final CvtConvProjection convProjK;
  private final CvtConvProjection convProjV;
  private final Linear projQ;
  private final Linear projK;
  private final Linear projV;
  private final Linear proj;

  CvtAttention(CvtStageConfig s) {
    int dim = s.dimEmbed();
    this.numHeads = s.numHeads();
    this.withClsToken = s.clsToken();
    // Parity quirk: scale = dim_out^-0.5 with the full stage width C, not the head width C/h.
    this.scale = (float) Math.pow(dim, -0.5);
    convProjQ = child("conv_proj_q",
        new CvtConvProjection(dim, s.kernelQkv(), s.paddingQ(), s.strideQ()));
    convProjK = child("conv_proj_k",
        new CvtConvProjection(dim, s.kernelQkv(), s.paddingKv(), s.strideKv()));
    convProjV = child("conv_proj_v",
        new CvtConvProjection(dim, s.kernelQkv(), s.paddingKv(), s.strideKv()));
    projQ = child("proj_q", new Linear(dim, dim, s.qkvBias()));
    projK = child("proj_k", new Linear(dim, dim, s.qkvBias()));
    projV = child("proj_v", new Linear(dim, dim, s.qkvBias()));
    proj = child("proj", new Linear(dim, dim, true));
  }

  /**
   * {@code [B, T, C]} normalized tokens ({@code T = [1 +] h·w}, the {@code h × w} grid the stage
   * set in {@code ctx}) → {@code [B, T, C]}.
   */
  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xBtc) {
    Ops tf = ctx.tf();
    TokenGrid g = ctx.tokenGrid();
    Operand<TFloat32> cls = null;
    Operand<TFloat32> grid = xBtc;
    if (withClsToken) {
      // Parity quirk: the class token is split off before the convolutional projections...
      cls = CvtTokens.head(tf, xBtc);
      grid = CvtTokens.tail(tf, xBtc);
    }
    Operand<TFloat32> mapNhwc = Layouts.tokensToMap(tf, grid, g.height(), g.width());
    Operand<TFloat32> q = call(convProjQ, ctx, mapNhwc);
    Operand<TFloat32> k = call(convProjK, ctx, mapNhwc);
    Operand<TFloat32> v = call(convProjV, ctx, mapNhwc);
    if (withClsToken) {
      // Parity quirk: ...and prepended (index 0) to q AND to k and v, untouched by conv/BN.
      q = CvtTokens.prepend(tf, cls, q);
      k = CvtTokens.prepend(tf, cls, k);
      v = CvtTokens.prepend(tf, cls, v);
    }
    Operand<TFloat32> qBhtd = Attention.splitHeads(tf, call(projQ, ctx, q), numHeads);
    Operand<TFloat32> kBhtd = Attention.splitHeads(tf, call(projK, ctx, k), numHeads);
    Operand<TFloat32> vBhtd = Attention.splitHeads(tf, call(projV, ctx, v), numHeads);
    // The reference scales the logits (einsum · scale), not q.
    Operand<TFloat32> oBhtd = Attention.attend(tf, qBhtd, kBhtd, vBhtd, scale, false, null);
    return call(proj, ctx, Attention.mergeHeads(tf, oBhtd));
  }
}
