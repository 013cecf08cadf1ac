package io.tfhybrid.nn;

import io.tfhybrid.ops.Activations;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.Sequential} / {@code nn.ModuleList}: children named "0", "1", … in order. Indices count
 * parameter-free entries too (GELU, Dropout, Rearrange), exactly as PyTorch does, so add those as
 * {@link Act}/{@link Identity}/{@link Lambda} modules rather than skipping them.
 */
public final class Sequential extends Module {
  private final List<Module> layers = new ArrayList<>();

  public Sequential(Module... modules) {
    for (Module m : modules) {
      add(m);
    }
  }

  public Sequential(List<? extends Module> modules) {
    modules.forEach(this::add);
  }

  private void add(Module m) {
    child(Integer.toString(layers.size()), m);
    layers.add(m);
  }

  public int size() {
    return layers.size();
  }

  public Module get(int i) {
    return layers.get(i);
  }

  /**
   * Whether layers {@code i, i+1, i+2} are a pointwise Conv2d, a BatchNorm2d and an activation
   * (CoAtNet's MBConv expansion): the norm is then folded into the convolution run as a MatMul, so
   * that TF's remapper fuses convolution, norm and activation (GELU) into one kernel. Without an
   * activation after it, a norm is left to fuse with the Conv2D ({@code Norms.batchNorm}).
   */
  private boolean foldsNorm(int i) {
    return i + 2 < layers.size() && layers.get(i) instanceof Conv2d conv && conv.isPointwise()
        && layers.get(i + 1) instanceof BatchNorm2d && layers.get(i + 2) instanceof Act;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    for (int i = 0; i < layers.size(); i++) {
      Module m = layers.get(i);
      if (foldsNorm(i)) {
        x = callPointwiseNorm((Conv2d) m, (BatchNorm2d) layers.get(i + 1), ctx, x);
        i++;
      } else if (i + 1 < layers.size() && layers.get(i + 1) instanceof Act a
          && a.kind() == Activations.Kind.GELU) {
        x = callThenGelu(m, a, ctx, x);
        i++;
      } else {
        x = call(m, ctx, x);
      }
    }
    return x;
  }
}
