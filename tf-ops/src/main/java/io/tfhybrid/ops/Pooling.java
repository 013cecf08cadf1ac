package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** PyTorch pooling semantics on NHWC maps with static spatial sizes. */
public final class Pooling {
  private Pooling() {}

  /**
   * {@code nn.MaxPool2d(k, s, p)} (floor or ceil mode). PyTorch pads with −∞ (a padded cell never
   * wins), which differs from zero padding whenever the input can be negative.
   */
  public static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> xNhwc, int k, int s, int p,
      boolean ceilMode) {
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    Checks.checkArg(p <= k / 2, "pad %s should be at most half of kernel %s", p, k);
    long oh = outSize(h, k, s, p, ceilMode);
    long ow = outSize(w, k, s, p, ceilMode);
    int extraH = (int) Math.max(0, (oh - 1) * s + k - (h + 2L * p));
    int extraW = (int) Math.max(0, (ow - 1) * s + k - (w + 2L * p));
    Operand<TFloat32> padded = Padding.pad(tf, xNhwc, p, p + extraH, p, p + extraW,
        Float.NEGATIVE_INFINITY);
    return tf.nn.maxPool(padded, tf.constant(new int[] {1, k, k, 1}),
        tf.constant(new int[] {1, s, s, 1}), "VALID");
  }

  /**
   * {@code nn.AvgPool2d(k, s, p, ceil_mode, count_include_pad)}. The window sum comes from a VALID
   * pool over the zero-padded map; the divisor is PyTorch's per-window count, computed on the host:
   * with {@code count_include_pad} it counts cells inside {@code [−p, n + p)}, otherwise only real
   * cells; ceil-mode overhang beyond {@code n + p} never counts.
   */
  public static Operand<TFloat32> avgPool(Ops tf, Operand<TFloat32> xNhwc, int k, int s, int p,
      boolean ceilMode, boolean countIncludePad) {
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    // As PyTorch (pool2d_shape_check); beyond it a window can lie wholly in the padding (0/0).
    Checks.checkArg(p <= k / 2, "pad %s should be at most half of kernel %s", p, k);
    long oh = outSize(h, k, s, p, ceilMode);
    long ow = outSize(w, k, s, p, ceilMode);
    if (p == 0 && !ceilMode) {
      return tf.nn.avgPool(xNhwc, List.of(1L, (long) k, (long) k, 1L),
          List.of(1L, (long) s, (long) s, 1L), "VALID");
    }
    int extraH = (int) Math.max(0, (oh - 1) * s + k - (h + 2L * p));
    int extraW = (int) Math.max(0, (ow - 1) * s + k - (w + 2L * p));
    Operand<TFloat32> padded = Padding.pad(tf, xNhwc, p, p + extraH, p, p + extraW, 0f);
    Operand<TFloat32> mean = tf.nn.avgPool(padded, List.of(1L, (long) k, (long) k, 1L),
        List.of(1L, (long) s, (long) s, 1L), "VALID");
    float[] scale = new float[(int) (oh * ow)];
    for (int i = 0; i < oh; i++) {
      int ch = count(i, s, k, p, h, countIncludePad);
      for (int j = 0; j < ow; j++) {
        int cw = count(j, s, k, p, w, countIncludePad);
        scale[(int) (i * ow + j)] = (float) (k * k) / (ch * cw);
      }
    }
    Operand<TFloat32> factor = tf.constant(Shape.of(1, oh, ow, 1), DataBuffers.of(scale, true, false));
    return tf.math.mul(mean, factor);
  }

  private static int count(int o, int s, int k, int p, long n, boolean includePad) {
    long start = (long) o * s - p;
    long end = Math.min(start + k, n + p);
    if (!includePad) {
      start = Math.max(start, 0);
      end = Math.min(end, n);
    }
    return (int) (end - start);
  }

  /** PyTorch's pooled size, including the ceil-mode rule that the last window starts inside. */
  public static long outSize(long n, int k, int s, int p, boolean ceilMode) {
    long num = n + 2L * p - k;
    long o = (ceilMode ? Math.floorDiv(num + s - 1, s) : Math.floorDiv(num, s)) + 1;
    if (ceilMode && (o - 1) * s >= n + p) {
      o--;
    }
    return o;
  }

  /** Mean over H and W: {@code [B, H, W, C] → [B, C]} (or kept as {@code [B, 1, 1, C]}). */
  public static Operand<TFloat32> globalAvgPool(Ops tf, Operand<TFloat32> xNhwc, boolean keepDims) {
    return tf.math.mean(xNhwc, tf.constant(new int[] {1, 2}),
        org.tensorflow.op.math.Mean.keepDims(keepDims));
  }

  /**
   * {@code nn.AdaptiveAvgPool2d((oh, ow))}: output cell i averages input rows
   * {@code [floor(i·H/oh), ceil((i+1)·H/oh))}, likewise for columns.
   */
  public static Operand<TFloat32> adaptiveAvgPool(Ops tf, Operand<TFloat32> xNhwc, int oh, int ow) {
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    if (oh == 1 && ow == 1) {
      return globalAvgPool(tf, xNhwc, true);
    }
    // Pooling is linear: express it as two matmuls with host-computed averaging matrices.
    float[] rowsM = adaptiveMatrix(h, oh);
    float[] colsM = adaptiveMatrix(w, ow);
    Operand<TFloat32> r = tf.constant(Shape.of(oh, h), DataBuffers.of(rowsM, true, false));
    Operand<TFloat32> c = tf.constant(Shape.of(ow, w), DataBuffers.of(colsM, true, false));
    Operand<TFloat32> y = tf.linalg.einsum(List.of(r, xNhwc), "ih,bhwc->biwc");
    return tf.linalg.einsum(List.of(c, y), "jw,biwc->bijc");
  }

  private static float[] adaptiveMatrix(long n, int o) {
    float[] m = new float[(int) (o * n)];
    for (int i = 0; i < o; i++) {
      long start = Math.floorDiv(i * n, o);
      long end = -Math.floorDiv(-(i + 1) * n, o);
      for (long j = start; j < end; j++) {
        m[(int) (i * n + j)] = 1f / (end - start);
      }
    }
    return m;
  }
}
