package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The STE's patch split in NHWC (spec §4.3 step 1 and §7.4). Patch (i, k) of batch element b
 * becomes batch row {@code (b·nh + i)·nw + k}; inside a patch token {@code r·p + c} is row-major.
 * Only the batch axis is dynamic. The model itself never cuts the map (see {@link ContNetSte}):
 * this gives the reference's layout to the captures.
 */
final class ContNetPatches {
  private ContNetPatches() {}

  /** {@code [B, H, W, C] → [B·nh·nw, p·p, C]} with {@code nh = H/p}, {@code nw = W/p}. */
  static Operand<TFloat32> patchify(Ops tf, Operand<TFloat32> xNhwc, int p) {
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    long c = Shapes.dim(xNhwc, 3);
    checkTiles(h, w, p);
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

  /** An {@code h×w} map must tile into p×p patches (checkInputSize rejects other inputs first). */
  static void checkTiles(long h, long w, int p) {
    Checks.checkState(h % p == 0 && w % p == 0,
        "STE with patch %s got a %sx%s map: checkInputSize should have rejected this input", p, h,
        w);
  }
}
