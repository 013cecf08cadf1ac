package io.tfhybrid.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Normalisations as PyTorch computes them: biased variance, eps inside the square root.
 * The eps is always given by the caller (the reference uses 1e-5 and 1e-6 in different places).
 */
public final class Norms {
  private Norms() {}

  private static final String CONV2D = "Conv2D";

  /**
   * LayerNorm over the last axis. In NHWC this is also the "channels_first" LayerNorm of
   * ConvNeXt-style code (normalising the channel axis of an NCHW map).
   *
   * <p>Written as Keras writes it, so that TensorFlow's remapper replaces the whole norm with one
   * oneDNN {@code _MklLayerNorm} on CPU (2–2.7× faster than the seven-op form on this project's
   * machine, and no less exact): the rows {@code [M, C]} viewed as an NCHW batch {@code [1, M, C,
   * 1]} go through {@code FusedBatchNormV3} in training mode with unit scale and zero offset (per
   * row: mean, biased variance, eps inside the square root, as PyTorch), are reshaped back, then
   * {@code Mul} by γ and {@code AddV2} β. Where that rewrite does not run (a TF build without
   * oneDNN, a GPU) the same ops compute the same LayerNorm.
   */
  public static Operand<TFloat32> layerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, float eps) {
    long[] s = Shapes.of(x);
    long c = Shapes.dim(x, -1);
    Operand<TFloat32> rows = Shapes.rows(tf, x);
    Operand<TInt32> rowShape = tf.shape(rows);
    Operand<TInt32> m = tf.stridedSlice(rowShape, tf.constant(new int[] {0}),
        tf.constant(new int[] {1}), tf.constant(new int[] {1}));
    Operand<TFloat32> empty = tf.constant(new float[0]);
    FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(
        Shapes.reshape(tf, rows, 1, -1, c, 1), tf.fill(m, tf.constant(1f)),
        tf.fill(m, tf.constant(0f)), empty, empty, FusedBatchNorm.epsilon(eps),
        FusedBatchNorm.dataFormat("NCHW"), FusedBatchNorm.isTraining(true));
    Operand<TFloat32> y = RawOps.addV2(tf, tf.math.mul(tf.reshape(bn.y(), rowShape), gamma), beta);
    if (s.length == 2) {
      return y;
    }
    long[] target = s.clone();
    target[0] = -1;
    return tf.reshape(y, tf.constant(target));
  }

  /**
   * GroupNorm on NHWC: statistics per sample over (H, W, channels of the group). With one group
   * that is all of H, W and C.
   */
  public static Operand<TFloat32> groupNorm(Ops tf, Operand<TFloat32> xNhwc, int groups,
      Operand<TFloat32> gamma, Operand<TFloat32> beta, float eps) {
    if (groups == 1) {
      return normalize(tf, xNhwc, new int[] {1, 2, 3}, gamma, beta, eps);
    }
    long[] s = Shapes.of(xNhwc);
    long c = s[3];
    Operand<TFloat32> g = Shapes.reshape(tf, xNhwc, -1, s[1], s[2], groups, c / groups);
    Operand<TFloat32> n = normalize(tf, g, new int[] {1, 2, 4}, null, null, eps);
    n = Shapes.reshape(tf, n, -1, s[1], s[2], c);
    return affine(tf, n, gamma, beta);
  }

  /**
   * BatchNorm2d in inference mode: {@code (x − mean)·γ/√(var + eps) + β} per channel (last axis).
   *
   * <p>Directly after a {@code Conv2D} (with γ and β) it is one {@code FusedBatchNormV3}
   * ({@code is_training=false}): TF's grappler remapper fuses Conv2D + FusedBatchNorm [+ Relu, Relu6,
   * Elu, LeakyRelu] into one {@code _FusedConv2D} on CPU (TF Serving runs the same optimiser), so
   * the normalised map is never a separate pass. Anywhere else it is the per-channel multiply-add,
   * which measured faster than a standalone FusedBatchNormV3 on CPU.
   */
  public static Operand<TFloat32> batchNorm(Ops tf, Operand<TFloat32> xNhwc, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, Operand<TFloat32> runningMean, Operand<TFloat32> runningVar, float eps) {
    if (gamma != null && beta != null && xNhwc.op().type().equals(CONV2D)) {
      return tf.nn.fusedBatchNorm(xNhwc, gamma, beta, runningMean, runningVar,
          FusedBatchNorm.epsilon(eps), FusedBatchNorm.isTraining(false)).y();
    }
    Operand<TFloat32> scale = tf.math.rsqrt(tf.math.add(runningVar, tf.constant(eps)));
    if (gamma != null) {
      scale = tf.math.mul(scale, gamma);
    }
    Operand<TFloat32> shift = tf.math.mul(runningMean, scale);
    shift = beta == null ? tf.math.neg(shift) : tf.math.sub(beta, shift);
    return tf.math.add(tf.math.mul(xNhwc, scale), shift);
  }

  private static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, int[] axes,
      Operand<TFloat32> gamma, Operand<TFloat32> beta, float eps) {
    Operand<TInt32> ax = tf.constant(axes);
    Operand<TFloat32> mu = tf.math.mean(x, ax, Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(x, mu);
    Operand<TFloat32> var = tf.math.mean(tf.math.square(centered), ax, Mean.keepDims(true));
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(var, tf.constant(eps)));
    if (gamma != null) {
      // γ·rsqrt(var + eps) is small (statistics × channels): one full pass fewer than scaling the
      // normalised tensor and then γ.
      inv = tf.math.mul(inv, gamma);
    }
    Operand<TFloat32> y = tf.math.mul(centered, inv);
    return beta == null ? y : tf.math.add(y, beta);
  }

  private static Operand<TFloat32> affine(Ops tf, Operand<TFloat32> y, Operand<TFloat32> gamma,
      Operand<TFloat32> beta) {
    if (gamma != null) {
      y = tf.math.mul(y, gamma);
    }
    if (beta != null) {
      y = tf.math.add(y, beta);
    }
    return y;
  }
}
