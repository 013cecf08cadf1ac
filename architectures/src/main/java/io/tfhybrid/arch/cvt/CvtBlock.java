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

  /**
   * {@code [B, T, C]} tokens → same shape. The attention reads the token grid the stage set
   * ({@link Ctx#tokenGrid}); the LayerNorms and the MLP are per token.
   */
  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xBtc) {
    Ops tf = ctx.tf();
    Operand<TFloat32> x = tf.math.add(xBtc, call(attn, ctx, call(norm1, ctx, xBtc)));
    return tf.math.add(x, call(mlp, ctx, call(norm2, ctx, x)));
  }
}
