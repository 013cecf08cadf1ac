package io.tfhybrid.arch.transcnn;

import io.tfhybrid.nn.AvgPool2d;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.GroupNorm;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Attention;
import io.tfhybrid.ops.Layouts;
import io.tfhybrid.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * H-MHSA, the reference's {@code Attention} ({@code blocks.S.I.attn}), on NHWC maps.
 *
 * <p>With a grid size G > 1 it has two levels: local self-attention inside the non-overlapping
 * G×G windows anchored at (0, 0), then {@code grid_x = GN(x + local)}, then cross-attention from
 * all H·W tokens of {@code grid_x} (1×1 conv {@code q}) to the tokens of
 * {@code GN(AvgPool_r(grid_x))} (1×1 conv {@code kv}); the output is
 * {@code proj(global + grid_x)}. With G == 1 it is plain multi-head self-attention over all
 * tokens followed by {@code proj}. Channel orders: qkv {@code [3][heads][head_dim]}, kv
 * {@code [2][heads][head_dim]}, q {@code [heads][head_dim]}.
 */
final class HatNetAttention extends Module {
  private final int numHeads;
  private final int gridSize;
  private final float scale;

  private final GroupNorm norm;
  private final Conv2d qkv;
  private final Conv2d proj;
  private final GroupNorm gridNorm;
  private final AvgPool2d avgPool;
  private final GroupNorm dsNorm;
  private final Conv2d q;
  private final Conv2d kv;

  HatNetAttention(int dim, int headDim, int gridSize, int dsRatio) {
    Checks.checkArg(dim % headDim == 0, "dim %s must be a multiple of head_dim %s", dim, headDim);
    this.numHeads = dim / headDim;
    this.gridSize = gridSize;
    // Parity quirk: scale head_dim^-0.5 (not dim^-0.5), multiplied into q before the product.
    this.scale = (float) Math.pow(headDim, -0.5);
    // Key order of the reference state_dict: norm, qkv, proj, proj_norm, grid_norm, ds_norm, q, kv.
    norm = child("norm", new GroupNorm(1, dim, HatNetConfig.NORM_EPS));
    // Parity quirk: every attention 1x1 conv (qkv, proj, q, kv) has a bias.
    qkv = child("qkv", Conv2d.builder(dim, 3 * dim, 1).build());
    proj = child("proj", Conv2d.builder(dim, dim, 1).build());
    // Parity quirk: proj_norm is in the state_dict and counted in the parameters, but the
    // reference forward never applies it: declared (so strict loading matches) and never called.
    child("proj_norm", new GroupNorm(1, dim, HatNetConfig.NORM_EPS));
    if (gridSize > 1) {
      gridNorm = child("grid_norm", new GroupNorm(1, dim, HatNetConfig.NORM_EPS));
      // Parity quirk: AvgPool2d(r, stride=r) floors: trailing rows/columns that do not fill a
      // window are dropped (no padding).
      avgPool = child("avg_pool", AvgPool2d.builder(dsRatio).build());
      dsNorm = child("ds_norm", new GroupNorm(1, dim, HatNetConfig.NORM_EPS));
      q = child("q", Conv2d.builder(dim, dim, 1).build());
      kv = child("kv", Conv2d.builder(dim, 2 * dim, 1).build());
    } else {
      gridNorm = null;
      avgPool = null;
      dsNorm = null;
      q = null;
      kv = null;
    }
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    Operand<TFloat32> qkvNhwc = call(qkv, ctx, call(norm, ctx, xNhwc)); // [B, H, W, 3C]
    if (gridSize == 1) {
      List<Operand<TFloat32>> qkvParts =
          Attention.splitQkv(tf, Layouts.mapToTokens(tf, qkvNhwc), 3, numHeads);
      Operand<TFloat32> o = Attention.attend(tf, qkvParts.get(0), qkvParts.get(1),
          qkvParts.get(2), scale, true, null);
      return call(proj, ctx, headsToMap(tf, o, h, w));
    }
    Operand<TFloat32> local = localAttention(tf, qkvNhwc, h, w);
    Operand<TFloat32> gridX = call(gridNorm, ctx, tf.math.add(xNhwc, local));

    // Global level: every token of grid_x queries the pooled tokens.
    Operand<TFloat32> queries =
        Attention.splitHeads(tf, Layouts.mapToTokens(tf, call(q, ctx, gridX)), numHeads);
    // Parity quirk: the pooled map is grid_x (already normalised) followed by another GroupNorm,
    // not the raw local-attention output.
    Operand<TFloat32> pooled = call(dsNorm, ctx, call(avgPool, ctx, gridX));
    List<Operand<TFloat32>> kvParts =
        Attention.splitQkv(tf, Layouts.mapToTokens(tf, call(kv, ctx, pooled)), 2, numHeads);
    Operand<TFloat32> o =
        Attention.attend(tf, queries, kvParts.get(0), kvParts.get(1), scale, true, null);
    // Parity quirk: proj(global + grid_x); grid_x already contains x, and the block adds x again.
    // proj_norm is not applied.
    return call(proj, ctx, tf.math.add(headsToMap(tf, o, h, w), gridX));
  }

  /** Self-attention inside each G×G window, on the fused qkv map {@code [B, H, W, 3C]}. */
  private Operand<TFloat32> localAttention(Ops tf, Operand<TFloat32> qkvNhwc, long h, long w) {
    List<Operand<TFloat32>> parts = partition(tf, qkvNhwc, gridSize, 3, numHeads);
    Operand<TFloat32> o = Attention.attend(tf, parts.get(0), parts.get(1), parts.get(2), scale,
        true, null); // [B*heads*gh*gw, G*G, hd]
    return unpartition(tf, o, h, w, gridSize, numHeads);
  }

  /**
   * Window partition of a map {@code [B, H, W, parts·heads·hd]} whose channels are laid out
   * {@code [parts][heads][hd]}: returns the parts, each {@code [B·heads·gh·gw, G·G, hd]}, where row
   * {@code a·G + u}, column {@code b·G + v} is token {@code u·G + v} of window {@code (a, b)}
   * and windows are ordered (batch, head, a, b). {@link #unpartition} is its exact inverse.
   */
  static List<Operand<TFloat32>> partition(Ops tf, Operand<TFloat32> mapNhwc, int g, int parts,
      int heads) {
    long h = Shapes.dim(mapNhwc, 1);
    long w = Shapes.dim(mapNhwc, 2);
    long c = Shapes.dim(mapNhwc, 3);
    Checks.checkState(h % g == 0 && w % g == 0 && c % ((long) parts * heads) == 0,
        "a %sx%s map with %s channels does not tile into %sx%s windows of %s x %s heads "
            + "(checkInputSize should have rejected it)", h, w, c, g, g, parts, heads);
    long hd = c / parts / heads;
    // [B, gh, G(u), gw, G(v), parts, heads, hd] -> parts x [B, heads, gh, gw, G(u), G(v), hd]
    Operand<TFloat32> t = Shapes.reshape(tf, mapNhwc, -1, h / g, g, w / g, g, parts, heads, hd);
    List<Operand<TFloat32>> windows = new ArrayList<>();
    for (Operand<TFloat32> part : Shapes.transposeUnstack(tf, t, 5, 0, 6, 1, 3, 2, 4, 7)) {
      windows.add(Shapes.reshape(tf, part, -1, (long) g * g, hd));
    }
    return windows;
  }

  /**
   * The inverse of {@link #partition} for one part: {@code [B·heads·gh·gw, G·G, hd]} back to
   * the map {@code [B, H, W, heads·hd]} (channel {@code head·hd + d}).
   */
  static Operand<TFloat32> unpartition(Ops tf, Operand<TFloat32> windows, long h, long w, int g,
      int heads) {
    long hd = Shapes.dim(windows, 2);
    // [B, heads, gh, gw, G(u), G(v), hd] -> [B, gh, G(u), gw, G(v), heads, hd] -> map.
    Operand<TFloat32> o = Shapes.reshape(tf, windows, -1, heads, h / g, w / g, g, g, hd);
    o = Shapes.transpose(tf, o, 0, 2, 4, 3, 5, 1, 6);
    return Shapes.reshape(tf, o, -1, h, w, heads * hd);
  }

  /** {@code [B, heads, H·W, hd] → [B, H, W, heads·hd]} (token {@code row·W + col}). */
  private static Operand<TFloat32> headsToMap(Ops tf, Operand<TFloat32> oBhnd, long h, long w) {
    return Layouts.tokensToMap(tf, Attention.mergeHeads(tf, oBhnd), h, w);
  }
}
