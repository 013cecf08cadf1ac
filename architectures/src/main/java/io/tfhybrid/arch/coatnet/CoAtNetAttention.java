package io.tfhybrid.arch.coatnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.Identity;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Attention;
import io.tfhybrid.ops.RelativePosition;
import io.tfhybrid.ops.Shapes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code Attention(inp, oup, image_size, heads=8, dim_head=32)} (spec §5.2,
 * §5.4), on tokens {@code [B, N, inp]} of an h×w grid fixed at construction. Keys:
 * {@code relative_bias_table} {@code [(2h−1)(2w−1), 8]}, {@code relative_index} (int64
 * {@code [N·N, 1]}, computed here and compared with the checkpoint on load), {@code to_qkv.weight}
 * {@code [768, inp]}, {@code to_out.0.{weight,bias}}.
 *
 * <p>The bias {@code R[e, a, b] = table[index[a·N + b], e]} is gathered once at load time into the
 * derived {@code [8, N, N]} variable {@value #BIAS}, so no per-call gather remains.
 */
final class CoAtNetAttention extends Module {
  /** Local name of the derived (not in the state_dict) gathered bias {@code [heads, N, N]}. */
  static final String BIAS = "relative_bias_gathered";

  /** Relative indices per grid size, shared by every block of that size (they are immutable). */
  private static final Map<Long, Index> INDICES = new ConcurrentHashMap<>();

  private record Index(long[] flat, HostTensor buffer) {}

  private final int tokens;
  private final ParamSpec bias;
  private final Linear toQkv;
  private final Sequential toOut;

  CoAtNetAttention(int inp, int oup, int h, int w) {
    int heads = CoAtNetConfig.HEADS;
    this.tokens = h * w;
    Index index = index(h, w);
    param("relative_bias_table", Layout.AS_IS, RelativePosition.tableRows(h, w), heads);
    // Parity quirk: index (ra-rb+h-1)*(2w-1) + (ca-cb+w-1): query minus key, tokens row-major.
    // Parity quirk: relative_index is a persistent int64 checkpoint buffer (compared on load).
    computedBuffer("relative_index", index.buffer());
    int n = tokens;
    bias = derived(BIAS, new long[] {heads, n, n}, List.of("relative_bias_table"),
        sources -> RelativePosition.gatherBias(
            sources.get(0).toFloatArray(), heads, index.flat(), n));
    // Parity quirk: always 8 heads x 32 (to_qkv is [768, inp], no bias), whatever the width.
    toQkv = child("to_qkv", new Linear(inp, 3 * CoAtNetConfig.INNER_DIM, false));
    // project_out is always true in the reference (heads == 8 != 1), so to_out always exists.
    toOut = child("to_out", new Sequential(
        new Linear(CoAtNetConfig.INNER_DIM, oup, true), Identity.dropout()));
  }

  private static Index index(int h, int w) {
    return INDICES.computeIfAbsent(((long) h << 32) | w, k -> {
      long[] flat = RelativePosition.index(h, w);
      long n = (long) h * w;
      return new Index(flat, HostTensor.ofLongs(new long[] {n * n, 1}, flat));
    });
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> tokensBnc) {
    Ops tf = ctx.tf();
    Operand<TFloat32> qkv = call(toQkv, ctx, tokensBnc);
    // chunk(3, dim=-1) then 'b n (h d) -> b h n d': the [3][h][d] channel order, here with the
    // heads outside the batch ([h, B, N, d]) so the bias [h, 1, N, N] is an addend oneDNN fuses.
    List<Operand<TFloat32>> qkvHbnd = Attention.splitQkvHeadsOuter(tf, qkv, 3, CoAtNetConfig.HEADS);
    float scale = (float) Math.pow(CoAtNetConfig.DIM_HEAD, -0.5);
    Operand<TFloat32> biasH1nn = Shapes.reshape(tf, ctx.read(bias), CoAtNetConfig.HEADS, 1, tokens, tokens);
    // Parity quirk: scale multiplies q·kᵀ (not q); bias added after scaling, before the softmax.
    Operand<TFloat32> outHbnd = Attention.attend(tf, qkvHbnd.get(0), qkvHbnd.get(1),
        qkvHbnd.get(2), scale, false, biasH1nn);
    return call(toOut, ctx, Attention.mergeHeadsOuter(tf, outHbnd));
  }

  int tokens() {
    return tokens;
  }
}
