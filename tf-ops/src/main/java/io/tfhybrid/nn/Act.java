package io.tfhybrid.nn;

import io.tfhybrid.ops.Activations;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A parameter-free activation module ({@code nn.GELU}, {@code nn.SiLU}, …); it holds a Sequential index. */
public final class Act extends Module {
  private final Activations.Kind kind;

  public Act(Activations.Kind kind) {
    this.kind = kind;
  }

  public static Act gelu() {
    return new Act(Activations.Kind.GELU);
  }

  public static Act silu() {
    return new Act(Activations.Kind.SILU);
  }

  public static Act relu() {
    return new Act(Activations.Kind.RELU);
  }

  public Activations.Kind kind() {
    return kind;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Activations.apply(ctx.tf(), kind, x);
  }
}
