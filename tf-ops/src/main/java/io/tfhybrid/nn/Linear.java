package io.tfhybrid.nn;

import io.tfhybrid.ops.Dense;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** {@code nn.Linear(in, out, bias)} on the last axis; the weight is held as {@code [in, out]}. */
public final class Linear extends Module {
  private final ParamSpec weight;
  private final ParamSpec bias; // null when the reference has bias=False

  public Linear(int inFeatures, int outFeatures, boolean bias) {
    Checks.positive(inFeatures, "inFeatures");
    Checks.positive(outFeatures, "outFeatures");
    this.weight = param("weight", Layout.OUT_IN, outFeatures, inFeatures);
    this.bias = bias ? param("bias", Layout.AS_IS, outFeatures) : null;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Dense.apply(ctx.tf(), x, ctx.read(weight), bias == null ? null : ctx.read(bias));
  }
}
