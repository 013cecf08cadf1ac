package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Activations;
import io.tfhybrid.ops.Attention;
import io.tfhybrid.ops.Layouts;
import io.tfhybrid.ops.Shapes;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code Attention2d(dim, dim_out, dim_head=32, expand_first=False, head_first=True)} over
 * the whole stage map (spec §7.2): {@code qkv} 1x1 conv, head-first split, {@code softmax(q·scale ·
 * kᵀ + R)·v}, {@code proj} 1x1 conv. {@code rel_pos}'s recorded output is the biased logits.
 */
final class CoAtNetTimmAttention extends Module {
  private final int heads;
  private final Conv2d qkv;
  private final CoAtNetTimmRelPos relPos;
  private final Conv2d proj;

  CoAtNetTimmAttention(int in, int out, int windowH, int windowW, CoAtNetTimmTransformerConfig t) {
    // Parity quirk: attention runs at the block *input* width (heads = in / 32; the first block of
    // a stage has half the heads of the others) and proj does the widening.
    this.heads = in / CoAtNetTimmConfig.DIM_HEAD;
    qkv = child("qkv", Conv2d.builder(in, 3 * in, 1).build());
    relPos =
        child("rel_pos", new CoAtNetTimmRelPos(t.relPos(), windowH, windowW, heads, t.relPosDim()));
    proj = child("proj", Conv2d.builder(in, out, 1).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    Operand<TFloat32> tokens = Layouts.mapToTokens(tf, call(qkv, ctx, xNhwc)); // [B, N, 3·in]
    // Parity quirk: head-first q/k/v: channel c is head c // 96, then q | k | v of 32 each.
    List<Operand<TFloat32>> qkvBhnd = Attention.splitQkvHeadFirst(tf, tokens, heads);
    float scale = (float) Math.pow(CoAtNetTimmConfig.DIM_HEAD, -0.5);
    // Parity quirk: the scale multiplies q before q·kᵀ (timm's non-fused path). timm >= 0.9 on
    // torch >= 2.0 runs F.scaled_dot_product_attention(q, k, v, attn_mask=R) instead: the same
    // maths (default scale dh^-0.5, additive bias), ~1e-6 apart in float32.
    Operand<TFloat32> scores =
        Attention.scores(tf, tf.math.mul(qkvBhnd.get(0), tf.constant(scale)), qkvBhnd.get(1));
    scores = call(relPos, ctx, scores);
    Operand<TFloat32> outBhnd =
        Attention.weighted(tf, Activations.softmax(tf, scores), qkvBhnd.get(2));
    // Merged channel = head·32 + d, back to the h×w map.
    Operand<TFloat32> map = Layouts.tokensToMap(tf, Attention.mergeHeads(tf, outBhnd), h, w);
    return call(proj, ctx, map);
  }
}
