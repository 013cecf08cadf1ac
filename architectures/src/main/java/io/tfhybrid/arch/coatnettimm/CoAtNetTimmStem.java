package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.BatchNormAct2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Activations;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code Stem} (spec §5): {@code conv1} 3x3/s2 → {@code norm1} (BatchNorm + SiLU) →
 * {@code conv2} 3x3/s1.
 */
final class CoAtNetTimmStem extends Module {
  private final Conv2d conv1;
  private final BatchNormAct2d norm1;
  private final Conv2d conv2;

  CoAtNetTimmStem(int s0, int s1) {
    // Parity quirk: stride-2 3x3 conv with symmetric zero padding 1 (TF SAME pads 0/1 on even sizes).
    conv1 = child("conv1", Conv2d.builder(CoAtNetTimmConfig.IN_CHANNELS, s0, 3)
        .stride(2).padding(1).bias(false).build());
    norm1 =
        child(
            "norm1",
            new BatchNormAct2d(s0, CoAtNetTimmConfig.CONV_NORM_EPS, Activations.Kind.SILU));
    // Parity quirk: the stem ends with a bare conv (no norm or activation after conv2).
    conv2 = child("conv2", Conv2d.builder(s0, s1, 3).padding(1).bias(false).build());
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(conv2, ctx, call(norm1, ctx, call(conv1, ctx, x)));
  }
}
