package io.tfhybrid.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@code nn.ModuleList}: children "0", "1", … whose parent decides the call order (e.g.
 * Conv2Former interleaves {@code downsample_layers.i} and {@code stages.i}). The parent enters the
 * list once ({@code Ctx listCtx = ctx.enter(name)}) and calls items through {@link #call(int, Ctx,
 * Operand)}, so every item's output is recorded under {@code <list>.<i>}.
 */
public final class ModuleList extends Module {
  private final List<Module> items = new ArrayList<>();

  public ModuleList(List<? extends Module> modules) {
    for (Module m : modules) {
      child(Integer.toString(items.size()), m);
      items.add(m);
    }
  }

  public int size() {
    return items.size();
  }

  public Module get(int i) {
    return items.get(i);
  }

  /** Runs item {@code i} in the list's context {@code listCtx}. */
  public Operand<TFloat32> call(int i, Ctx listCtx, Operand<TFloat32> x) {
    return call(items.get(i), listCtx, x);
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    throw new IllegalStateException("an nn.ModuleList has no forward of its own: its parent calls items");
  }
}
