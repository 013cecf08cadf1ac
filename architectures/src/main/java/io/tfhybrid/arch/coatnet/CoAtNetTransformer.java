package io.tfhybrid.arch.coatnet;

import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Lambda;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.MaxPool2d;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Layouts;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code Transformer(inp, oup, image_size, heads=8, dim_head=32, downsample)}
 * (spec §5), block type 'T', on a map whose h×w grid is fixed at construction.
 *
 * <pre>
 *   downsampling: xp = maxpool(x); out = proj(xp) + attn(xp)      plain: out = x + attn(x)
 *   out = out + ff(out)
 * </pre>
 *
 * {@code attn} and {@code ff} are {@code nn.Sequential(Rearrange, PreNorm(LayerNorm, fn),
 * Rearrange)}: the einops Rearrange entries hold indices 0 and 2, which is why the keys read
 * {@code attn.1.fn.*} and {@code ff.1.fn.*}. In NHWC both Rearranges are plain reshapes.
 */
final class CoAtNetTransformer extends Module {
  private final boolean downsample;
  private final MaxPool2d pool1; // null unless downsample
  private final Conv2d proj; // null unless downsample
  private final Sequential attn;
  private final Sequential ff;

  CoAtNetTransformer(int inp, int oup, int h, int w, boolean downsample) {
    this.downsample = downsample;
    // Parity quirk: FFN hidden width is 4 x the block *input* (4*inp, not 4*oup when down).
    int ffnHidden = CoAtNetConfig.FFN_RATIO * inp;
    if (downsample) {
      // Parity quirk: max-pool 3x3/s2/p1 (-inf padding) *before* the LayerNorm and the attention.
      pool1 = child("pool1", MaxPool2d.builder(3).stride(2).padding(1).build());
      // The reference applies pool2 to the same x as pool1 (identical results): we run pool1 once.
      child("pool2", MaxPool2d.builder(3).stride(2).padding(1).build());
      // Parity quirk: the shortcut is max-pool + 1x1 conv without norm or bias.
      proj = child("proj", Conv2d.builder(inp, oup, 1).bias(false).build());
    } else {
      pool1 = null;
      proj = null;
    }
    // Parity quirk: the Rearrange entries hold Sequential indices 0 and 2, so PreNorm is 'attn.1'.
    attn = child("attn", new Sequential(
        new Lambda("Rearrange('b c ih iw -> b (ih iw) c')", Layouts::mapToTokens),
        new CoAtNetPreNorm(new LayerNorm(inp, CoAtNetConfig.NORM_EPS),
            new CoAtNetAttention(inp, oup, h, w)),
        new Lambda("Rearrange('b (ih iw) c -> b c ih iw')",
            (tf, t) -> Layouts.tokensToMap(tf, t, h, w))));
    ff = child("ff", new Sequential(
        new Lambda("Rearrange('b c ih iw -> b (ih iw) c')", Layouts::mapToTokens),
        new CoAtNetPreNorm(new LayerNorm(oup, CoAtNetConfig.NORM_EPS),
            new CoAtNetFeedForward(oup, ffnHidden)),
        new Lambda("Rearrange('b (ih iw) c -> b c ih iw')",
            (tf, t) -> Layouts.tokensToMap(tf, t, h, w))));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    var tf = ctx.tf();
    Operand<TFloat32> out;
    if (downsample) {
      Operand<TFloat32> pooled = call(pool1, ctx, x);
      out = tf.math.add(call(proj, ctx, pooled), call(attn, ctx, pooled));
    } else {
      out = tf.math.add(x, call(attn, ctx, x));
    }
    return tf.math.add(out, call(ff, ctx, out));
  }
}
