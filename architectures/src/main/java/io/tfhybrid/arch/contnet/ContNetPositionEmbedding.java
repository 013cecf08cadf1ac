package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.ops.Shapes;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The STE's absolute position embedding {@code pe} (an {@code nn.ParameterList}, keys {@code pe.0}
 * and {@code pe.1}), used only with {@code relative=False}. Applied to patch tokens {@code [B',
 * p·p, C]}; the same embedding is added to every patch.
 */
final class ContNetPositionEmbedding extends Module {
  private final int patchSize;
  private final int planes;
  private final ParamSpec rows;
  private final ParamSpec cols;

  ContNetPositionEmbedding(int patchSize, int planes) {
    Checks.checkArg(
        planes % 2 == 0, "the position embedding needs an even width, found %s", planes);
    this.patchSize = patchSize;
    this.planes = planes;
    rows = param("0", Layout.AS_IS, 1, patchSize, 1, planes / 2);
    cols = param("1", Layout.AS_IS, 1, 1, patchSize, planes / 2);
  }

  /**
   * On the NHWC map {@code [B, H, W, C]} (H, W multiples of p): the embedding is added to every p×p
   * tile of the map, seen as {@code [B, nh, p, nw, p, C]}: the same sums as on the reference's
   * patch tokens, without cutting the map into them.
   */
  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    long p = patchSize;
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    ContNetPatches.checkTiles(h, w, patchSize);
    Operand<TFloat32> tiles = Shapes.reshape(tf, xNhwc, -1, h / p, p, w / p, p, planes);
    Operand<TFloat32> pe = Shapes.reshape(tf, embedding(ctx), 1, 1, p, 1, p, planes);
    return Shapes.reshape(tf, tf.math.add(tiles, pe), -1, h, w, planes);
  }

  /** {@code [1, p, p, C]}. */
  private Operand<TFloat32> embedding(Ctx ctx) {
    Ops tf = ctx.tf();
    long p = patchSize;
    long half = planes / 2;
    Operand<TInt64> halfShape = Shapes.constant(tf, 1, p, p, half);
    // Parity quirk: the PE is split by channel halves: channels [0, C/2) get pe.0[0, r, 0, :]
    // (in-patch row only), channels [C/2, C) get pe.1[0, 0, c, :] (in-patch column only). It is
    // added to the residual stream and never removed.
    Operand<TFloat32> pe =
        tf.concat(
            List.of(
                tf.broadcastTo(ctx.read(rows), halfShape),
                tf.broadcastTo(ctx.read(cols), halfShape)),
            tf.constant(3)); // [1, p, p, C]
    return pe;
  }
}
