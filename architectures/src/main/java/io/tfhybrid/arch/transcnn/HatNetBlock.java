package io.tfhybrid.arch.transcnn;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code Block} ({@code blocks.S.I}): {@code x = x + attn(x)}, then {@code x = x + conv(x)}. No
 * norm outside the two branches (each normalises its own input) and no MLP: the inverted residual
 * replaces it. {@code drop_path} is an identity in inference and holds no parameters, so it is
 * omitted.
 */
final class HatNetBlock extends Module {
  private final HatNetAttention attn;
  private final HatNetInvertedResidual conv;

  HatNetBlock(HatNetStageConfig stage, int headDim) {
    attn = child("attn", new HatNetAttention(stage.dim(), headDim, stage.gridSize(),
        stage.dsRatio()));
    conv = child("conv", new HatNetInvertedResidual(stage));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    var tf = ctx.tf();
    // Parity quirk: in hierarchical stages x is counted twice, inside attn's grid_x = GN(x + local)
    // and again through this residual add.
    Operand<TFloat32> x = tf.math.add(xNhwc, call(attn, ctx, xNhwc));
    return tf.math.add(x, call(conv, ctx, x));
  }
}
