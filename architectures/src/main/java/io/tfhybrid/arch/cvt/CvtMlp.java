package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The block MLP {@code mlp}: {@code fc1 → act → fc2} (dropout is an inference no-op). */
final class CvtMlp extends Module {
  private final Linear fc1;
  private final Act act;
  private final Linear fc2;

  CvtMlp(int dim, int hidden, GeluKind activation) {
    fc1 = child("fc1", new Linear(dim, hidden, true));
    // Parity quirk: QuickGELU z·sigmoid(1.702z) by default (get_cls_model overrides nn.GELU);
    // GeluKind.ERF only to match Hugging Face's Python ports.
    act = child("act", new Act(activation.kind()));
    fc2 = child("fc2", new Linear(hidden, dim, true));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(fc2, ctx, call(act, ctx, call(fc1, ctx, x)));
  }
}
