package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code TransformerBlock2d} (block type T, spec §7.1):
 *
 * <pre>
 *   x = shortcut(x) + ls1(attn(norm1(x)))       stride 2: shortcut = pool + 1x1 expand,
 *   x = x + ls2(mlp(norm2(x)))                            norm1 = norm then the same pool
 * </pre>
 */
final class CoAtNetTimmTransformer extends Module {
  private final CoAtNetTimmDownsample shortcut; // null at stride 1
  private final Module norm1;
  private final CoAtNetTimmAttention attn;
  private final CoAtNetTimmLayerScale ls1; // null without layer scale
  private final Module norm2;
  private final CoAtNetTimmMlp mlp;
  private final CoAtNetTimmLayerScale ls2;

  CoAtNetTimmTransformer(
      int in, int out, int stride, int windowH, int windowW, CoAtNetTimmTransformerConfig t) {
    if (stride == 2) {
      shortcut =
          child("shortcut", new CoAtNetTimmDownsample(in, out, t.poolType(), t.shortcutBias()));
      norm1 = child("norm1", new CoAtNetTimmNormDown(norm(t, in), in, t.poolType()));
    } else {
      shortcut = null;
      norm1 = child("norm1", norm(t, in));
    }
    attn = child("attn", new CoAtNetTimmAttention(in, out, windowH, windowW, t));
    // Parity quirk: layer scale multiplies each branch output before its residual add.
    ls1 = t.layerScale() ? child("ls1", new CoAtNetTimmLayerScale(out)) : null;
    norm2 = child("norm2", norm(t, out));
    int hidden = CoAtNetTimmConfig.EXPAND_RATIO * out;
    // Parity quirk: the MLP's GELU is the exact erf form (tanh moves features by ~1e-3).
    mlp =
        child(
            "mlp",
            new CoAtNetTimmMlp(
                Conv2d.builder(out, hidden, 1).build(),
                Act.gelu(),
                Conv2d.builder(hidden, out, 1).build()));
    ls2 = t.layerScale() ? child("ls2", new CoAtNetTimmLayerScale(out)) : null;
  }

  /** LayerNorm2d or BatchNorm2d, both eps 1e-6 (the final norm uses it too). */
  static Module norm(CoAtNetTimmTransformerConfig t, int channels) {
    float eps = CoAtNetTimmConfig.TRANSFORMER_NORM_EPS;
    return switch (t.norm()) {
      case LAYER_NORM -> LayerNorm.channelsFirst(channels, eps);
      // Parity quirk: coatnet_bn_0's transformer BatchNorms use eps 1e-6, not PyTorch's 1e-5.
      case BATCH_NORM -> new BatchNorm2d(channels, eps);
    };
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    var tf = ctx.tf();
    Operand<TFloat32> sc = shortcut == null ? x : call(shortcut, ctx, x);
    Operand<TFloat32> a = call(attn, ctx, call(norm1, ctx, x));
    if (ls1 != null) {
      a = call(ls1, ctx, a);
    }
    x = tf.math.add(sc, a);
    Operand<TFloat32> m = call(mlp, ctx, call(norm2, ctx, x));
    if (ls2 != null) {
      m = call(ls2, ctx, m);
    }
    return tf.math.add(x, m);
  }
}
