package io.tfhybrid.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Element-wise activations with PyTorch's exact definitions. */
public final class Activations {
  private Activations() {}

  private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
  /** {@code 2·fl(1/√2)}, which is also {@code fl(√2)}: the two share their mantissa. */
  private static final float SQRT2 = 2 * INV_SQRT2;

  /** The activations the five architectures use. */
  public enum Kind {
    /** {@code nn.GELU()}: exact erf form {@code 0.5·x·(1 + erf(x/√2))}, never the tanh approximation. */
    GELU,
    /** CvT's QuickGELU {@code x·sigmoid(1.702·x)}. */
    QUICK_GELU,
    /** {@code nn.SiLU}: {@code x·sigmoid(x)}. */
    SILU,
    RELU,
    SIGMOID,
    IDENTITY
  }

  /**
   * Applies {@code kind}. When {@code x} is a reshape of rows (a {@link Dense} output, see {@link
   * Shapes#rowsOf}) the activation runs on the rows and is reshaped after it: the same values, but
   * TensorFlow's remapper then fuses {@code MatMul + BiasAdd + GELU} into one {@code _FusedMatMul},
   * and a following {@link Dense} takes the rows without a reshape.
   */
  public static Operand<TFloat32> apply(Ops tf, Kind kind, Operand<TFloat32> x) {
    Operand<TFloat32> rows = kind == Kind.IDENTITY ? null : Shapes.rowsOf(x);
    if (rows != null) {
      return Shapes.reshapeLike(tf, pointwise(tf, kind, rows), x);
    }
    if (kind == Kind.SILU || kind == Kind.RELU) {
      x = Conv.fusable(tf, x); // HAT-Net's bias-free 1×1 expansion then SiLU
    }
    return pointwise(tf, kind, x);
  }

  private static Operand<TFloat32> pointwise(Ops tf, Kind kind, Operand<TFloat32> x) {
    return switch (kind) {
      case GELU -> gelu(tf, x);
      case QUICK_GELU -> quickGelu(tf, x);
      case SILU -> silu(tf, x);
      case RELU -> tf.nn.relu(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case IDENTITY -> x;
    };
  }

  /** Exact erf GELU (PyTorch {@code approximate='none'}). */
  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> cdf = tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant(INV_SQRT2))));
    return tf.math.mul(tf.math.mul(x, cdf), tf.constant(0.5f));
  }

  /**
   * Exact GELU of {@code x} from {@code half = x/2}: {@code half·(1 + erf(half·√2))}. The same bits
   * as {@link #gelu} of {@code x} (scaling by 2 commutes with rounding, and {@code half·fl(√2)} is
   * {@code x·fl(1/√2)} as a real number), with one pass over the tensor fewer: no final {@code
   * ·0.5}. For a producer that can emit its output halved exactly ({@code Module#forwardHalf}: halved
   * weights and bias, or a halved BatchNorm scale and shift).
   */
  public static Operand<TFloat32> geluOfHalf(Ops tf, Operand<TFloat32> half) {
    Operand<TFloat32> cdf =
        tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(half, tf.constant(SQRT2))));
    return tf.math.mul(half, cdf);
  }

  public static Operand<TFloat32> quickGelu(Ops tf, Operand<TFloat32> x) {
    return tf.math.mul(x, tf.math.sigmoid(tf.math.mul(x, tf.constant(1.702f))));
  }

  public static Operand<TFloat32> silu(Ops tf, Operand<TFloat32> x) {
    return tf.math.mul(x, tf.math.sigmoid(x));
  }

  /** Softmax over the last axis (TF subtracts the row max, as PyTorch does). */
  public static Operand<TFloat32> softmax(Ops tf, Operand<TFloat32> x) {
    return tf.nn.softmax(x);
  }
}
