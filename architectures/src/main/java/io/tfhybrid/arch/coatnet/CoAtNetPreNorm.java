package io.tfhybrid.arch.coatnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code PreNorm(dim, fn, norm)}: {@code fn(norm(x))}. Keys {@code norm.*} then
 * {@code fn.*}, in that order (the norm is registered first).
 */
final class CoAtNetPreNorm extends Module {
  private final Module norm;
  private final Module fn;

  CoAtNetPreNorm(Module norm, Module fn) {
    this.norm = child("norm", norm);
    this.fn = child("fn", fn);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(fn, ctx, call(norm, ctx, x));
  }
}
