package io.tfhybrid.ops;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Named layout changes: NCHW↔NHWC at the edge of a graph, and feature map ↔ tokens in PyTorch's
 * row-major {@code (h w)} order. In NHWC, map↔tokens is a plain reshape, no transpose.
 */
public final class Layouts {
  private Layouts() {}

  public static Operand<TFloat32> nchwToNhwc(Ops tf, Operand<TFloat32> x) {
    return Shapes.transpose(tf, x, 0, 2, 3, 1);
  }

  public static Operand<TFloat32> nhwcToNchw(Ops tf, Operand<TFloat32> x) {
    return Shapes.transpose(tf, x, 0, 3, 1, 2);
  }

  /** {@code [B, H, W, C] → [B, H·W, C]}, token {@code t = y·W + x} (torch {@code flatten(2).transpose(1,2)}). */
  public static Operand<TFloat32> mapToTokens(Ops tf, Operand<TFloat32> xNhwc) {
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    long c = Shapes.dim(xNhwc, 3);
    return Shapes.reshape(tf, xNhwc, -1, h * w, c);
  }

  /** {@code [B, H·W, C] → [B, H, W, C]}, the exact inverse of {@link #mapToTokens}. */
  public static Operand<TFloat32> tokensToMap(Ops tf, Operand<TFloat32> tokensBlc, long h, long w) {
    long n = Shapes.dim(tokensBlc, 1);
    Checks.checkArg(n == h * w, "cannot fold %s tokens into a %sx%s map", n, h, w);
    return Shapes.reshape(tf, tokensBlc, -1, h, w, Shapes.dim(tokensBlc, 2));
  }

  /** Host-side NCHW → NHWC of a float array (for feeding fixtures). */
  public static float[] nchwToNhwc(float[] data, long[] nchw) {
    return io.tfhybrid.nn.Layout.permute(data, nchw, new int[] {0, 2, 3, 1});
  }

  /** Host-side NHWC → NCHW of a float array (for comparing with fixtures). */
  public static float[] nhwcToNchw(float[] data, long[] nhwc) {
    return io.tfhybrid.nn.Layout.permute(data, nhwc, new int[] {0, 3, 1, 2});
  }

  /** Host-side NCHW → NHWC of a float tensor {@code [N, C, H, W]} (a fixture input, as fed). */
  public static HostTensor nchwToNhwc(HostTensor nchw) {
    long[] s = nchw.shape();
    Checks.checkArg(
        s.length == 4, "expected an NCHW tensor [N, C, H, W], found %s", Checks.shape(s));
    return HostTensor.ofFloats(
        new long[] {s[0], s[2], s[3], s[1]}, nchwToNhwc(nchw.toFloatArray(), s));
  }

  /** Host-side NHWC → NCHW of a float tensor {@code [N, H, W, C]}. */
  public static HostTensor nhwcToNchw(HostTensor nhwc) {
    long[] s = nhwc.shape();
    Checks.checkArg(
        s.length == 4, "expected an NHWC tensor [N, H, W, C], found %s", Checks.shape(s));
    return HostTensor.ofFloats(
        new long[] {s[0], s[3], s[1], s[2]}, nhwcToNchw(nhwc.toFloatArray(), s));
  }
}
