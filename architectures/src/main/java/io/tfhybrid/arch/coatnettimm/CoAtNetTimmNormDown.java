package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The stride-2 transformer block's {@code norm1 = nn.Sequential(OrderedDict(norm=..., down=
 * Downsample2d(dim, dim, pool_type)))} (keys {@code norm1.norm.*}; {@code down} has none).
 */
final class CoAtNetTimmNormDown extends Module {
  private final Module norm;
  private final CoAtNetTimmDownsample down;

  CoAtNetTimmNormDown(Module norm, int dim, PoolType poolType) {
    this.norm = child("norm", norm);
    this.down = child("down", new CoAtNetTimmDownsample(dim, dim, poolType, true));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    // Parity quirk: normalise at full resolution FIRST, then pool (the shortcut pools the raw input).
    return call(down, ctx, call(norm, ctx, x));
  }
}
