package io.tfhybrid.arch.conv2former;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One block {@code stages.i.j}: pre-norm convolutional modulation and pre-norm convolutional MLP,
 * each added through a per-channel layer scale.
 */
final class Conv2FormerBlock extends Module {
  private final ParamSpec layerScale1;
  private final ParamSpec layerScale2;
  private final Conv2FormerConvMod attn;
  private final Conv2FormerMlp mlp;

  Conv2FormerBlock(int dim, int kernelSize, int mlpRatio) {
    layerScale1 = param("layer_scale_1", Layout.AS_IS, dim);
    layerScale2 = param("layer_scale_2", Layout.AS_IS, dim);
    attn = child("attn", new Conv2FormerConvMod(dim, kernelSize));
    mlp = child("mlp", new Conv2FormerMlp(dim, mlpRatio));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Ops tf = ctx.tf();
    // Layer scales are loaded from the checkpoint (1e-6 is only their training init); in NHWC
    // the [d] vector broadcasts over the last axis.
    x = tf.math.add(x, tf.math.mul(ctx.read(layerScale1), call(attn, ctx, x)));
    return tf.math.add(x, tf.math.mul(ctx.read(layerScale2), call(mlp, ctx, x)));
  }
}
