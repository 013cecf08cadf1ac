package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import java.util.function.UnaryOperator;
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

  /**
   * Only the attention looks across tokens, so everything else (position embedding, norms, MLP,
   * residual adds) runs per pixel on the map itself, and the attention cuts and stitches the
   * patches inside its head split and merge ({@link ContNetMhsa}): the same values as cutting the
   * map into patch tokens and stitching it back, without those two passes. The captures of {@code
   * pe} and {@code attn} stay in the reference's patch-token layout.
   */
  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    UnaryOperator<Operand<TFloat32>> asPatches = y -> ContNetPatches.patchify(tf, y, patchSize);
    Operand<TFloat32> t = pe == null ? xNhwc : call(pe, ctx, xNhwc, asPatches);
    return layer(ctx, t, asPatches);
  }

  /** The transformer layer on the map; {@code attnAsReference} gives the attention's capture. */
  private Operand<TFloat32> layer(Ctx ctx, Operand<TFloat32> t,
      UnaryOperator<Operand<TFloat32>> attnAsReference) {
    Ops tf = ctx.tf();
    if (preNorm) {
      t = tf.math.add(t, call(attn, ctx, call(norm1, ctx, t), attnAsReference));
      return tf.math.add(t, call(mlp, ctx, call(norm2, ctx, t)));
    }
    // post-norm (pre_norm=False, the official setting)
    t = call(norm1, ctx, tf.math.add(t, call(attn, ctx, t, attnAsReference)));
    return call(norm2, ctx, tf.math.add(t, call(mlp, ctx, t)));
  }
}
