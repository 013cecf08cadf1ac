package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The STE's {@code mlp}: {@code fc1} (C → mlp_dim) → exact erf GELU → {@code fc2} (mlp_dim → C).
 */
final class ContNetMlp extends Module {
  private final Linear fc1;
  private final Act act;
  private final Linear fc2;

  ContNetMlp(int planes, int mlpDim) {
    fc1 = child("fc1", new Linear(planes, mlpDim, true));
    act = child("act", Act.gelu());
    fc2 = child("fc2", new Linear(mlpDim, planes, true));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(fc2, ctx, call(act, ctx, call(fc1, ctx, x)));
  }
}
