package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.RelPos;
import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.ops.RelativePosition;
import io.tfhybrid.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * timm's {@code RelPosBias} / {@code RelPosMlp} (mode 'cr') for an {@code h x w} window (spec
 * §7.3): takes the scaled attention logits {@code [B, heads, N, N]} and adds the bias {@code R[h,
 * i, j] = T[idx(i, j), h]}. {@code T} is the learned {@code relative_position_bias_table} or
 * {@code mlp(rel_coords_log)}. The index and the log coordinates are timm's non-persistent buffers:
 * never in a checkpoint, rebuilt here from the window (the index in the graph, the coordinates as
 * a constant).
 */
final class CoAtNetTimmRelPos extends Module {
  private final int height;
  private final int width;
  private final int heads;
  private final ParamSpec table; // TABLE only
  private final CoAtNetTimmMlp mlp; // MLP only

  CoAtNetTimmRelPos(RelPos kind, int height, int width, int heads, int hidden) {
    this.height = height;
    this.width = width;
    this.heads = heads;
    int rows = RelativePosition.tableRows(height, width);
    if (kind == RelPos.TABLE) {
      table = param("relative_position_bias_table", Layout.AS_IS, rows, heads);
      mlp = null;
    } else {
      table = null;
      // Parity quirk: the bias MLP is plain Linear layers with ReLU; its fc2.bias adds the same
      // constant to every logit of a head (cancels in the softmax) but is loaded all the same.
      mlp =
          child(
              "mlp",
              new CoAtNetTimmMlp(
                  new Linear(2, hidden, true), Act.relu(), new Linear(hidden, heads, true)));
    }
  }

  /**
   * timm's {@code gen_relative_log_coords(mode='cr')}: for every offset (dy, dx), dy major, {@code
   * (f(dy), f(dx))} with {@code f(t) = sign(t) ln(1 + |t|)}, {@code [(2h-1)(2w-1), 2]}.
   */
  static float[] logCoords(int h, int w) {
    int rowsY = 2 * h - 1;
    int rowsX = 2 * w - 1;
    float[] out = new float[rowsY * rowsX * 2];
    for (int y = 0; y < rowsY; y++) {
      for (int x = 0; x < rowsX; x++) {
        int i = (y * rowsX + x) * 2;
        // Parity quirk: natural log, no normalisation (mode 'cr', not swin's log2 / 8).
        out[i] = (float) logSpaced(y - (h - 1));
        out[i + 1] = (float) logSpaced(x - (w - 1));
      }
    }
    return out;
  }

  private static double logSpaced(int t) {
    return Math.signum(t) * Math.log1p(Math.abs(t));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> scoresBhnn) {
    Ops tf = ctx.tf();
    int rows = RelativePosition.tableRows(height, width);
    Operand<TFloat32> t;
    if (table != null) {
      t = ctx.read(table);
    } else {
      Operand<TFloat32> coords =
          Shapes.reshape(tf, tf.constant(logCoords(height, width)), rows, 2);
      t = call(mlp, ctx, coords); // [rows, heads]
    }
    int n = height * width;
    // Parity quirk: relative_position_index and rel_coords_log are non-persistent buffers in timm:
    // no checkpoint holds them, so both are rebuilt from the window (nothing to load or compare).
    Operand<TFloat32> bias = tf.gather(t, index(tf), tf.constant(0)); // [N, N, heads]
    bias = Shapes.transpose(tf, bias, 2, 0, 1); // [heads, N, N]
    // Parity quirk: the bias is added after the scale (q was scaled), before the softmax.
    return tf.math.add(scoresBhnn, Shapes.reshape(tf, bias, 1, heads, n, n));
  }

  /**
   * {@code idx(i, j) = (r_i - r_j + h - 1)(2w - 1) + (c_i - c_j + w - 1)} as {@code [N, N]} int32,
   * built in the graph from ranges (no N² constant).
   */
  private Operand<TInt32> index(Ops tf) {
    int n = height * width;
    // Parity quirk: query minus key, row offset times (2w - 1): exchanging h and w shows only on
    // non-square windows.
    Operand<TInt32> tokens = tf.range(tf.constant(0), tf.constant(n), tf.constant(1));
    Operand<TInt32> r = tf.math.floorDiv(tokens, tf.constant(width));
    Operand<TInt32> c = tf.math.floorMod(tokens, tf.constant(width));
    Operand<TInt32> dr =
        tf.math.sub(tf.expandDims(r, tf.constant(1)), tf.expandDims(r, tf.constant(0)));
    Operand<TInt32> dc =
        tf.math.sub(tf.expandDims(c, tf.constant(1)), tf.expandDims(c, tf.constant(0)));
    return tf.math.add(
        tf.math.mul(tf.math.add(dr, tf.constant(height - 1)), tf.constant(2 * width - 1)),
        tf.math.add(dc, tf.constant(width - 1)));
  }
}
