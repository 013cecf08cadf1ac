package io.tfhybrid.nn;

import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A parameter-free module running a graph function, for entries such as einops {@code Rearrange}
 * that hold an index in an {@code nn.Sequential} (CoAtNet's {@code attn.0}).
 */
public final class Lambda extends Module {
  private final String torchName;
  private final BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> fn;

  public Lambda(String torchName, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> fn) {
    this.torchName = torchName;
    this.fn = fn;
  }

  public String torchName() {
    return torchName;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return fn.apply(ctx.tf(), x);
  }
}
