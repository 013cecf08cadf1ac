package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The STE's patch split in NHWC (spec §4.3 step 1 and §7.4). Patch (i, k) of batch element b
 * becomes batch row {@code (b·nh + i)·nw + k}; inside a patch token {@code r·p + c} is row-major.
 * {@link #unpatchify} is the exact inverse. Only the batch axis is dynamic.
 */
final class ContNetPatches {
  private ContNetPatches() {}

  /** {@code [B, H, W, C] → [B·nh·nw, p·p, C]} with {@code nh = H/p}, {@code nw = W/p}. */
  static Operand<TFloat32> patchify(Ops tf, Operand<TFloat32> xNhwc, int p) {
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    long c = Shapes.dim(xNhwc, 3);
    Checks.checkState(
        h % p == 0 && w % p == 0,
        "STE with patch %s got a %sx%s map: checkInputSize should have rejected this input",
        p,
        h,
        w);
    long nh = h / p;
    long nw = w / p;
    if (nw == 1) {
      // One patch per row band: the patches are already contiguous, a reshape suffices.
      return Shapes.reshape(tf, xNhwc, -1, (long) p * p, c);
    }
    Operand<TFloat32> x = Shapes.reshape(tf, xNhwc, -1, nh, p, nw, p, c); // [B, nh, r, nw, c', C]
    x = Shapes.transpose(tf, x, 0, 1, 3, 2, 4, 5); // [B, nh, nw, r, c', C]
    return Shapes.reshape(tf, x, -1, (long) p * p, c);
  }

  /** {@code [B·nh·nw, p·p, C] → [B, H, W, C]}, the exact inverse of {@link #patchify}. */
  static Operand<TFloat32> unpatchify(Ops tf, Operand<TFloat32> tokens, long h, long w, int p) {
    long c = Shapes.dim(tokens, 2);
    long nh = h / p;
    long nw = w / p;
    if (nw == 1) {
      return Shapes.reshape(tf, tokens, -1, h, w, c);
    }
    Operand<TFloat32> x = Shapes.reshape(tf, tokens, -1, nh, nw, p, p, c); // [B, nh, nw, r, c', C]
    x = Shapes.transpose(tf, x, 0, 1, 3, 2, 4, 5); // [B, nh, r, nw, c', C]
    return Shapes.reshape(tf, x, -1, h, w, c);
  }
}
