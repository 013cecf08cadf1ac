package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A pre-norm transformer block ({@code stage{i}.blocks.{j}}):
 * {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))} (drop-path is an inference no-op).
 * The LayerNorms see the whole sequence, class token included.
 */
final class CvtBlock extends Module {
  private final LayerNorm norm1;
  private final CvtAttention attn;
  private final LayerNorm norm2;
  private final CvtMlp mlp;

  CvtBlock(CvtStageConfig s, GeluKind activation) {
    norm1 = child("norm1", new LayerNorm(s.dimEmbed(), Cvt.LN_EPS));
    attn = child("attn", new CvtAttention(s));
    norm2 = child("norm2", new LayerNorm(s.dimEmbed(), Cvt.LN_EPS));
    mlp = child("mlp", new CvtMlp(s.dimEmbed(), s.mlpHidden(), activation));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    throw new IllegalStateException("CvtBlock needs the token grid: call apply(ctx, x, h, w)");
  }

  /** {@code [B, T, C]} tokens on an {@code h × w} grid ({@code T = [1 +] h·w}) → same shape. */
  Operand<TFloat32> apply(Ctx ctx, Operand<TFloat32> xBtc, long h, long w) {
    Ops tf = ctx.tf();
    String attnName = nameOf(attn);
    Operand<TFloat32> a = attn.apply(ctx.enter(attnName), call(norm1, ctx, xBtc), h, w);
    ctx.capture(attnName, a);
    Operand<TFloat32> x = tf.math.add(xBtc, a);
    return tf.math.add(x, call(mlp, ctx, call(norm2, ctx, x)));
  }
}
