package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.ops.Attention;
import io.tfhybrid.ops.RelativePosition;
import io.tfhybrid.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The STE's {@code attn} (reference class {@code MHSA}): fused {@code qkv}, scaled dot-product
 * attention inside one patch of {@code N = p·p} tokens, {@code proj}. With {@code relative=True} it
 * owns {@code relative_position_bias_table [(2p−1)², heads]} and the int64 buffer {@code
 * relative_position_index [p², p²]}; the index is computed here and checked against the checkpoint
 * on load, and the {@code [heads, N, N]} bias is gathered once at load time into the derived
 * variable {@code relative_position_bias}.
 */
final class ContNetMhsa extends Module {
  private static final Map<Integer, long[]> INDEX = new ConcurrentHashMap<>();

  private final int heads;
  private final int patchSize;
  private final float scale;
  private final ParamSpec bias; // derived [heads, N, N]; null without relative position bias
  private final Linear qkv;
  private final Linear proj;

  ContNetMhsa(int planes, int heads, int patchSize, boolean qkvBias, boolean relative) {
    this.heads = heads;
    this.patchSize = patchSize;
    int headDim = planes / heads;
    this.scale = (float) Math.pow(headDim, -0.5);
    if (relative) {
      int n = patchSize * patchSize;
      long[] index = index(patchSize);
      param(
          "relative_position_bias_table",
          Layout.AS_IS,
          RelativePosition.tableRows(patchSize, patchSize),
          heads);
      computedBuffer("relative_position_index", HostTensor.ofLongs(new long[] {n, n}, index));
      bias =
          derived(
              "relative_position_bias",
              new long[] {heads, n, n},
              List.of("relative_position_bias_table"),
              src -> RelativePosition.gatherBias(src.get(0).toFloatArray(), heads, index, n));
    } else {
      bias = null;
    }
    qkv = child("qkv", new Linear(planes, 3 * planes, qkvBias));
    // Parity quirk: proj always has a bias, whatever qkv_bias says.
    proj = child("proj", new Linear(planes, planes, true));
  }

  /**
   * {@code index[n, m] = (r1 − r2 + p − 1)·(2p − 1) + (c1 − c2 + p − 1)} for query {@code n = (r1,
   * c1)} and key {@code m = (r2, c2)}, row-major (spec §4.3); shared by every STE with patch p.
   */
  static long[] index(int patchSize) {
    return INDEX.computeIfAbsent(patchSize, p -> RelativePosition.index(p, p));
  }

  /**
   * The attention of every p×p patch of an NHWC map, returned as the map: {@code qkv} and {@code
   * proj} run per pixel on the map, and the patch cut is folded into the q/k/v head split (one
   * gather each, {@code [B·nh·nw, heads, p², d]}) and the stitch into the head merge (one gather
   * back to map order), so cutting and stitching cost no pass of their own. The same values as the
   * reference's attention on patch tokens: the per-pixel ops see the same rows, and the gathers
   * move bytes. Captures of {@code qkv} and {@code proj} are in map order.
   */
  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    long h = Shapes.dim(xNhwc, 1);
    long w = Shapes.dim(xNhwc, 2);
    long c = Shapes.dim(xNhwc, 3);
    int p = patchSize;
    ContNetPatches.checkTiles(h, w, p);
    long nh = h / p;
    long nw = w / p;
    long d = c / heads;
    // Parity quirk: the 3C axis of qkv is laid out [3, heads, d] (q, k, v blocks), not [heads, 3,
    // d]. [B, nh, r, nw, c', 3, heads, d] -> 3 x [B, nh, nw, heads, r, c', d]
    Operand<TFloat32> t =
        Shapes.reshape(tf, call(qkv, ctx, xNhwc), -1, nh, p, nw, p, 3, heads, d);
    List<Operand<TFloat32>> qkvParts = new ArrayList<>();
    for (Operand<TFloat32> part : Shapes.transposeUnstack(tf, t, 5, 0, 1, 3, 6, 2, 4, 7)) {
      qkvParts.add(Shapes.reshape(tf, part, -1, heads, (long) p * p, d));
    }
    // Parity quirk: q is multiplied by d^-1/2 before q·kᵀ (not the logits after).
    Operand<TFloat32> o = Attention.attend(tf, qkvParts.get(0), qkvParts.get(1), qkvParts.get(2),
        scale, true, bias == null ? null : ctx.read(bias)); // [B·nh·nw, heads, p², d]
    // [B, nh, nw, heads, r, c', d] -> [B, nh, r, nw, c', heads, d] = the map, channel head·d + e
    Operand<TFloat32> m = Shapes.reshape(tf, o, -1, nh, nw, heads, p, p, d);
    m = Shapes.transpose(tf, m, 0, 1, 4, 2, 5, 3, 6);
    return call(proj, ctx, Shapes.reshape(tf, m, -1, h, w, c));
  }
}
