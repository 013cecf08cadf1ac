package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Activations;
import io.tfhybrid.ops.Pooling;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code SEModule} inside MBConv (keys {@code se.*} or {@code se_early.*}): mean over H, W
 * → {@code fc1} (1x1, bias) → act → {@code fc2} (1x1, bias) → sigmoid gate times the input.
 */
final class CoAtNetTimmSe extends Module {
  private final Conv2d fc1;
  private final Act act;
  private final Conv2d fc2;

  CoAtNetTimmSe(int channels, int rd, Activations.Kind act) {
    // Parity quirk: SE convs have biases; the inner act is ReLU or SiLU per architecture.
    fc1 = child("fc1", Conv2d.builder(channels, rd, 1).build());
    this.act = child("act", new Act(act));
    fc2 = child("fc2", Conv2d.builder(rd, channels, 1).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    var tf = ctx.tf();
    Operand<TFloat32> s = Pooling.globalAvgPool(tf, xNhwc, true); // [B, 1, 1, C]
    s = call(fc2, ctx, call(act, ctx, call(fc1, ctx, s)));
    return tf.math.mul(xNhwc, tf.math.sigmoid(s));
  }
}
