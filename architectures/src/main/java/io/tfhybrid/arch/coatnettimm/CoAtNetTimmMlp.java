package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code Mlp} / {@code ConvMlp}: {@code fc1} → act → {@code fc2} (norm and dropouts are
 * identities at inference). The transformer MLP uses 1x1 convs and exact GELU, the rel-pos bias
 * MLP plain Linear layers and ReLU.
 */
final class CoAtNetTimmMlp extends Module {
  private final Module fc1;
  private final Act act;
  private final Module fc2;

  CoAtNetTimmMlp(Module fc1, Act act, Module fc2) {
    this.fc1 = child("fc1", fc1);
    this.act = child("act", act);
    this.fc2 = child("fc2", fc2);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(fc2, ctx, call(act, ctx, call(fc1, ctx, x)));
  }
}
