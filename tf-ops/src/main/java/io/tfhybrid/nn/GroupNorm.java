package io.tfhybrid.nn;

import io.tfhybrid.ops.Norms;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** {@code nn.GroupNorm(groups, C, eps)} on NHWC maps; with one group it normalises over C, H and W per sample. */
public final class GroupNorm extends Module {
  private final int groups;
  private final float eps;
  private final ParamSpec weight;
  private final ParamSpec bias;

  public GroupNorm(int groups, int channels, float eps) {
    Checks.positive(groups, "num_groups");
    Checks.positive(channels, "num_channels");
    Checks.checkArg(channels % groups == 0, "num_channels %s not divisible by num_groups %s", channels, groups);
    this.groups = groups;
    this.eps = eps;
    weight = param("weight", Layout.AS_IS, channels);
    bias = param("bias", Layout.AS_IS, channels);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return Norms.groupNorm(ctx.tf(), x, groups, ctx.read(weight), ctx.read(bias), eps);
  }
}
