package io.tfhybrid.nn;

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

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    for (Module m : layers) {
      x = call(m, ctx, x);
    }
    return x;
  }
}
