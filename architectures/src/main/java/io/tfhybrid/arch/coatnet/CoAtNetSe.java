package io.tfhybrid.arch.coatnet;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Lambda;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Activations;
import io.tfhybrid.ops.Pooling;
import io.tfhybrid.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code SE(inp, oup)} inside MBConv ({@code conv.fn.6}): global mean over H, W,
 * {@code fc = Sequential(Linear(hid, se, bias=False), GELU, Linear(se, hid, bias=False), Sigmoid)},
 * then {@code x · s} broadcast over H, W.
 */
final class CoAtNetSe extends Module {
  private final Module avgPool;
  private final Sequential fc;
  private final int hidden;

  /**
   * @param inp the MBConv block input width (only used for the SE width)
   * @param hidden the expanded width the SE runs on
   */
  CoAtNetSe(int inp, int hidden) {
    this.hidden = hidden;
    // Parity quirk: SE width is floor(inp/4) of the *block input*, not the expanded width or oup.
    int se = inp / CoAtNetConfig.SE_DIVISOR;
    avgPool = child("avg_pool", new Lambda("AdaptiveAvgPool2d",
        (tf, x) -> Pooling.globalAvgPool(tf, x, false)));
    // Parity quirk: the SE linears have no bias and the SE activation is GELU (not ReLU/SiLU).
    fc = child("fc", new Sequential(
        new Linear(hidden, se, false),
        Act.gelu(),
        new Linear(se, hidden, false),
        new Act(Activations.Kind.SIGMOID)));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    Operand<TFloat32> s = call(fc, ctx, call(avgPool, ctx, xNhwc)); // [B, hid]
    return ctx.tf().math.mul(xNhwc, Shapes.reshape(ctx.tf(), s, -1, 1, 1, hidden));
  }
}
