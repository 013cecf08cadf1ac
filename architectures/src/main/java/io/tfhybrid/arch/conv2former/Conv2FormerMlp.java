package io.tfhybrid.arch.conv2former;

import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Activations;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The convolutional MLP ({@code stages.i.j.mlp}): LN → 1×1 → GELU → (+ GELU(DW3×3)) → 1×1. */
final class Conv2FormerMlp extends Module {
  private final LayerNorm norm;
  private final Conv2d fc1;
  private final Conv2d pos;
  private final Conv2d fc2;

  Conv2FormerMlp(int dim, int mlpRatio) {
    int hidden = dim * mlpRatio;
    norm = child("norm", LayerNorm.channelsFirst(dim, Conv2FormerConfig.LN_EPS));
    fc1 = child("fc1", Conv2d.builder(dim, hidden, 1).build());
    pos = child("pos", Conv2d.builder(hidden, hidden, 3).padding(1).groups(hidden).build());
    fc2 = child("fc2", Conv2d.builder(hidden, dim, 1).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Ops tf = ctx.tf();
    Operand<TFloat32> t =
        Activations.apply(tf, Activations.Kind.GELU, call(fc1, ctx, call(norm, ctx, x)));
    // Parity quirk: inner residual t + GELU(DW3x3(t)) between fc1 and fc2 (in the code, not the paper).
    t = tf.math.add(t, Activations.gelu(tf, call(pos, ctx, t)));
    return call(fc2, ctx, t);
  }
}
