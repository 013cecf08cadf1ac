package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Standard Transformer Encoder ({@code ste1}/{@code ste2}, spec §4.3): cuts the NHWC map into
 * non-overlapping p×p patches, runs one transformer layer inside every patch (shared weights, no
 * attention across patch borders) and stitches the patches back. Children in reference order:
 * {@code pe} (absolute PE only), {@code attn}, {@code mlp}, {@code norm1}, {@code norm2}.
 */
final class ContNetSte extends Module {
  private final int patchSize;
  private final boolean preNorm;
  private final ContNetPositionEmbedding pe; // null with relative=True
  private final ContNetMhsa attn;
  private final ContNetMlp mlp;
  private final LayerNorm norm1;
  private final LayerNorm norm2;

  ContNetSte(int planes, int mlpDim, int heads, int patchSize, ContNetFlags flags) {
    this.patchSize = patchSize;
    this.preNorm = flags.preNorm();
    // Parity quirk: relative=True means no absolute PE at all (not both).
    pe = flags.relative() ? null : child("pe", new ContNetPositionEmbedding(patchSize, planes));
    attn =
        child("attn", new ContNetMhsa(planes, heads, patchSize, flags.qkvBias(), flags.relative()));
    mlp = child("mlp", new ContNetMlp(planes, mlpDim));
    norm1 = child("norm1", new LayerNorm(planes, ContNetConfig.LN_EPS));
    norm2 = child("norm2", new LayerNorm(planes, ContNetConfig.LN_EPS));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    Operand<TFloat32> t = ContNetPatches.patchify(tf, xNhwc, patchSize); // [B·nh·nw, p·p, C]
    if (pe != null) {
      t = call(pe, ctx, t);
    }
    if (preNorm) {
      t = tf.math.add(t, call(attn, ctx, call(norm1, ctx, t)));
      t = tf.math.add(t, call(mlp, ctx, call(norm2, ctx, t)));
    } else {
      // post-norm (pre_norm=False, the official setting)
      t = call(norm1, ctx, tf.math.add(t, call(attn, ctx, t)));
      t = call(norm2, ctx, tf.math.add(t, call(mlp, ctx, t)));
    }
    return ContNetPatches.unpatchify(tf, t, h, w, patchSize);
  }
}
