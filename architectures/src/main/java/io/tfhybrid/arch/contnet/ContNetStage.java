package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A stage {@code layer<s>}: the reference's {@code nn.Sequential(OrderedDict)} of blocks named
 * {@code ConTBlock0}, {@code ConTBlock1}, … (the block class name plus an index).
 */
final class ContNetStage extends Module {
  private final List<ContNetBlock> blocks = new ArrayList<>();

  ContNetStage(ContNetStageConfig s, ContNetFlags flags) {
    for (int j = 0; j < s.blocks(); j++) {
      blocks.add(child("ConTBlock" + j, new ContNetBlock(s, j == s.blocks() - 1, flags)));
    }
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    for (ContNetBlock b : blocks) {
      x = call(b, ctx, x);
    }
    return x;
  }
}
