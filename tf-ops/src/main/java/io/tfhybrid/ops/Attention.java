package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Multi-head attention pieces with explicit channel orders. Heads split channel {@code c} as
 * {@code head·d + e} (head-major) everywhere in the five references; what differs is how the fused
 * q/k/v axis is ordered, see {@link #splitQkv}.
 */
public final class Attention {
  private Attention() {}

  /** {@code [B, N, h·d] → [B, h, N, d]} with channel {@code head·d + e}. */
  public static Operand<TFloat32> splitHeads(Ops tf, Operand<TFloat32> xBnc, int heads) {
    long n = Shapes.dim(xBnc, 1);
    long c = Shapes.dim(xBnc, 2);
    Checks.checkArg(c % heads == 0, "width %s is not divisible by %s heads", c, heads);
    Operand<TFloat32> x = Shapes.reshape(tf, xBnc, -1, n, heads, c / heads);
    return Shapes.transpose(tf, x, 0, 2, 1, 3);
  }

  /** {@code [B, h, N, d] → [B, N, h·d]}, the inverse of {@link #splitHeads}. */
  public static Operand<TFloat32> mergeHeads(Ops tf, Operand<TFloat32> xBhnd) {
    long h = Shapes.dim(xBhnd, 1);
    long n = Shapes.dim(xBhnd, 2);
    long d = Shapes.dim(xBhnd, 3);
    return Shapes.reshape(tf, Shapes.transpose(tf, xBhnd, 0, 2, 1, 3), -1, n, h * d);
  }

  /**
   * Splits a fused projection {@code [B, N, 3·h·d]} laid out as {@code [3][h][d]} (q block, k block,
   * v block; inside each, head-major) into q, k, v of shape {@code [B, h, N, d]}. This is the order
   * of ConTNet, CoAtNet ({@code chunk(3)}) and HAT-Net; timm's head-first {@code [h][3][d]} order
   * is {@link #splitQkvHeadFirst}.
   */
  public static List<Operand<TFloat32>> splitQkv(Ops tf, Operand<TFloat32> qkvBnc, int parts, int heads) {
    return splitQkv(tf, qkvBnc, parts, heads, 2, 0, 3, 1, 4); // [parts, B, h, N, d]
  }

  /**
   * {@link #splitQkv} with the heads outside the batch: q, k, v of shape {@code [h, B, N, d]}, so
   * that a per-head bias {@code [h, 1, Nq, Nk]} broadcasts over the second dimension, the one
   * form of addend oneDNN's fused batch matmul takes (see {@link #attend}). The same one
   * transpose as {@link #splitQkv}; undone by {@link #mergeHeadsOuter}.
   */
  public static List<Operand<TFloat32>> splitQkvHeadsOuter(
      Ops tf, Operand<TFloat32> qkvBnc, int parts, int heads) {
    return splitQkv(tf, qkvBnc, parts, heads, 2, 3, 0, 1, 4); // [parts, h, B, N, d]
  }

  private static List<Operand<TFloat32>> splitQkv(
      Ops tf, Operand<TFloat32> qkvBnc, int parts, int heads, int... perm) {
    long n = Shapes.dim(qkvBnc, 1);
    long c3 = Shapes.dim(qkvBnc, 2);
    Checks.checkArg(c3 % ((long) parts * heads) == 0, "width %s is not %s parts x %s heads", c3, parts, heads);
    long d = c3 / parts / heads;
    Operand<TFloat32> x = Shapes.reshape(tf, qkvBnc, -1, n, parts, heads, d);
    return Shapes.transposeUnstack(tf, x, perm);
  }

  /** {@code [h, B, N, d] → [B, N, h·d]}, the inverse of {@link #splitQkvHeadsOuter}'s split. */
  public static Operand<TFloat32> mergeHeadsOuter(Ops tf, Operand<TFloat32> xHbnd) {
    long h = Shapes.dim(xHbnd, 0);
    long n = Shapes.dim(xHbnd, 2);
    long d = Shapes.dim(xHbnd, 3);
    return Shapes.reshape(tf, Shapes.transpose(tf, xHbnd, 1, 2, 0, 3), -1, n, h * d);
  }

  /**
   * Splits a fused projection {@code [B, N, h·3·d]} laid out as {@code [h][3][d]} (head-first:
   * each head's q, k, v are adjacent, timm's {@code Attention2d(head_first=True)}) into q, k, v
   * of shape {@code [B, h, N, d]}.
   */
  public static List<Operand<TFloat32>> splitQkvHeadFirst(
      Ops tf, Operand<TFloat32> qkvBnc, int heads) {
    long n = Shapes.dim(qkvBnc, 1);
    long c3 = Shapes.dim(qkvBnc, 2);
    Checks.checkArg(c3 % (3L * heads) == 0, "width %s is not %s heads x 3 parts", c3, heads);
    long d = c3 / 3 / heads;
    Operand<TFloat32> x = Shapes.reshape(tf, qkvBnc, -1, n, heads, 3, d);
    return Shapes.transposeUnstack(tf, x, 3, 0, 2, 1, 4); // [3] x [B, h, N, d]
  }

  /**
   * {@code q·kᵀ} of {@code [.., Nq, d]} and {@code [.., Nk, d]} → {@code [.., Nq, Nk]} (batched), as
   * {@code BatchMatMulV2} with an adjoint k (no transpose): oneDNN's kernel, 20–25 % faster than
   * TF Java's {@code BatchMatMulV3} for our attention shapes on this project's machine.
   */
  public static Operand<TFloat32> scores(Ops tf, Operand<TFloat32> q, Operand<TFloat32> k) {
    return RawOps.batchMatMulV2(tf, q, k, true);
  }

  /** {@code p·v}: {@code [.., Nq, Nk] × [.., Nk, d] → [.., Nq, d]}. */
  public static Operand<TFloat32> weighted(Ops tf, Operand<TFloat32> p, Operand<TFloat32> v) {
    return RawOps.batchMatMulV2(tf, p, v, false);
  }

  /**
   * {@code softmax(q·kᵀ·scale + bias)·v} on {@code [B, h, N, d]} tensors. When
   * {@code scaleQueryFirst} the scale multiplies q before the product (ConTNet, HAT-Net), else
   * the logits (CvT, CoAtNet); the two differ only in float rounding but we follow each reference.
   * {@code bias} ({@code [h, Nq, Nk]}, broadcast over the batch) may be null.
   *
   * <p>Logits scaled after the product with no bias (CvT) are written {@code
   * AddV2(Mul(BatchMatMulV2(q, k), scale), zero)}, the form grappler's remapper turns into oneDNN's
   * {@code _MklFusedBatchMatMulV2} (scale and addend as post-ops of the product, no separate pass
   * over the logits). The zero is {@code [1, 1, 1, 1]} behind a {@code PlaceholderWithDefault}, as
   * a {@code Const} zero add is folded away before the remapper runs; adding +0 leaves every value
   * as it was. The remapper only takes an addend of rank 4 whose second dimension is 1 (an
   * attention mask), so a per-head bias stays a separate add; the scale-q-first form would fuse too
   * but then scales the product (other rounding) and measured no faster.
   */
  public static Operand<TFloat32> attend(Ops tf, Operand<TFloat32> q, Operand<TFloat32> k,
      Operand<TFloat32> v, float scale, boolean scaleQueryFirst, Operand<TFloat32> bias) {
    Operand<TFloat32> s;
    if (scaleQueryFirst) {
      s = scores(tf, tf.math.mul(q, tf.constant(scale)), k);
    } else {
      s = tf.math.mul(scores(tf, q, k), tf.constant(scale));
      if (bias == null && q.shape().numDimensions() == 4) {
        s = RawOps.addV2(tf, s, tf.placeholderWithDefault(
            tf.constant(new float[][][][] {{{{0f}}}}), Shape.of(1, 1, 1, 1)));
      }
    }
    if (bias != null) {
      // A rank-4 bias [h, 1, Nq, Nk] on [h, B, ..] logits is an addend the remapper fuses.
      s = bias.shape().numDimensions() == 4 ? RawOps.addV2(tf, s, bias) : tf.math.add(s, bias);
    }
    return weighted(tf, Activations.softmax(tf, s), v);
  }
}
