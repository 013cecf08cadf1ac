package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.types.TFloat32;

/**
 * PyTorch {@code nn.Conv2d} semantics in NHWC: symmetric zero padding {@code (padH, padW)} on each
 * side and output size {@code floor((n + 2p − k)/s) + 1}. TF {@code SAME} is used only where it is
 * provably identical (stride 1, odd kernel, p = (k−1)/2); for stride 2 on even sizes SAME would pad
 * 0 before / 1 after and shift every window, so everything else uses EXPLICIT padding.
 */
public final class Conv {
  private Conv() {}

  /**
   * Convolution with an HWIO filter {@code [kh, kw, in/groups, out]}; {@code groups} > 1 runs one
   * convolution per group (CPU kernels for grouped Conv2D are patchy) unless the filter is
   * depthwise, which should use {@link #depthwise}.
   */
  public static Operand<TFloat32> conv2d(Ops tf, Operand<TFloat32> xNhwc, Operand<TFloat32> hwio,
      int strideH, int strideW, int padH, int padW, int groups) {
    long kh = Shapes.dim(hwio, 0);
    long kw = Shapes.dim(hwio, 1);
    if (groups == 1) {
      return single(tf, xNhwc, hwio, kh, kw, strideH, strideW, padH, padW);
    }
    long cin = Shapes.dim(xNhwc, 3);
    long cout = Shapes.dim(hwio, 3);
    Checks.checkArg(cin % groups == 0 && cout % groups == 0,
        "groups %s must divide in (%s) and out (%s) channels", groups, cin, cout);
    List<Operand<TFloat32>> xs = new ArrayList<>(tf.split(tf.constant(3), xNhwc, (long) groups).output());
    List<Operand<TFloat32>> ws = new ArrayList<>(tf.split(tf.constant(3), hwio, (long) groups).output());
    List<Operand<TFloat32>> ys = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      ys.add(single(tf, xs.get(g), ws.get(g), kh, kw, strideH, strideW, padH, padW));
    }
    return tf.concat(ys, tf.constant(3));
  }

  private static Operand<TFloat32> single(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w,
      long kh, long kw, int sh, int sw, int ph, int pw) {
    List<Long> strides = List.of(1L, (long) sh, (long) sw, 1L);
    String padding = padding(kh, kw, sh, sw, ph, pw);
    if (padding.equals("EXPLICIT")) {
      return tf.nn.conv2d(x, w, strides, padding,
          Conv2d.explicitPaddings(0L, 0L, (long) ph, (long) ph, (long) pw, (long) pw, 0L, 0L));
    }
    return tf.nn.conv2d(x, w, strides, padding);
  }

  /**
   * {@code x} plus a zero bias when {@code x} is the output of a bare {@code Conv2D} (a convolution
   * without a bias), else {@code x}: oneDNN's remapper fuses {@code Conv2D + BiasAdd} with a
   * following SiLU/ReLU into one {@code _FusedConv2D}, never a bare {@code Conv2D} with it. (A
   * residual {@code Add} after it did not fuse in our graphs: the remapper wants both addends of
   * provably equal shape, and a batch axis that went through {@code Reshape(-1, ..)} is not.)
   * Adding +0 changes no value. The zero sits behind a {@code PlaceholderWithDefault}: a {@code
   * Const} zero add is folded away before the remapper runs.
   */
  public static Operand<TFloat32> fusable(Ops tf, Operand<TFloat32> x) {
    if (!x.op().type().equals("Conv2D")) {
      return x;
    }
    long channels = Shapes.dim(x, -1);
    return tf.nn.biasAdd(x, tf.placeholderWithDefault(
        tf.constant(Shape.of(channels), DataBuffers.ofFloats(channels)), Shape.of(channels)));
  }

  /** Depthwise convolution with a filter {@code [kh, kw, C, m]} (see {@code Layout.DEPTHWISE}). */
  public static Operand<TFloat32> depthwise(Ops tf, Operand<TFloat32> xNhwc, Operand<TFloat32> filter,
      int strideH, int strideW, int padH, int padW) {
    long kh = Shapes.dim(filter, 0);
    long kw = Shapes.dim(filter, 1);
    List<Long> strides = List.of(1L, (long) strideH, (long) strideW, 1L);
    String padding = padding(kh, kw, strideH, strideW, padH, padW);
    if (padding.equals("EXPLICIT")) {
      // DepthwiseConv2dNative's EXPLICIT padding is not implemented by every CPU kernel: pad first.
      Operand<TFloat32> padded = Padding.pad(tf, xNhwc, padH, padH, padW, padW, 0f);
      return tf.nn.depthwiseConv2dNative(padded, filter, strides, "VALID");
    }
    return tf.nn.depthwiseConv2dNative(xNhwc, filter, strides, padding);
  }

  /** VALID when there is no padding, SAME when provably identical, else EXPLICIT. */
  static String padding(long kh, long kw, int sh, int sw, int ph, int pw) {
    if (ph == 0 && pw == 0) {
      return "VALID";
    }
    boolean sameH = sh == 1 && kh % 2 == 1 && ph == (kh - 1) / 2;
    boolean sameW = sw == 1 && kw % 2 == 1 && pw == (kw - 1) / 2;
    return sameH && sameW ? "SAME" : "EXPLICIT";
  }

  /** PyTorch's output size: {@code floor((n + 2p − k)/s) + 1}. */
  public static long outSize(long n, int k, int s, int p) {
    return Math.floorDiv(n + 2L * p - k, s) + 1;
  }
}
