package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.nn.AvgPool2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.MaxPool2d;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code Downsample2d(dim, dim_out, pool_type, bias)}: {@code pool}, then a 1x1 {@code
 * expand} conv when the width changes (keys {@code expand.weight} [+ {@code expand.bias}]).
 */
final class CoAtNetTimmDownsample extends Module {
  private final Module pool;
  private final Conv2d expand; // null when dim == dimOut

  CoAtNetTimmDownsample(int dim, int dimOut, PoolType poolType, boolean bias) {
    pool =
        child(
            "pool",
            switch (poolType) {
              case AVG2 -> AvgPool2d.builder(2).build();
              // Parity quirk: max pool 3x3/s2/p1 pads with -inf (a padded cell never wins).
              case MAX -> MaxPool2d.builder(3).stride(2).padding(1).build();
            });
    expand = dim == dimOut
        ? null
        : child("expand", Conv2d.builder(dim, dimOut, 1).bias(bias).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    Operand<TFloat32> y = call(pool, ctx, x);
    return expand == null ? y : call(expand, ctx, y);
  }
}
