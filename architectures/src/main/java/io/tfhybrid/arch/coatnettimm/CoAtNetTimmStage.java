package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** timm's {@code MaxxVitStage}: {@code blocks} (block 0 has stride 2 and changes the width). */
final class CoAtNetTimmStage extends Module {
  private final Sequential blocks;

  CoAtNetTimmStage(CoAtNetTimmConfig c, int stage) {
    List<Module> list = new ArrayList<>();
    int out = c.embedDim().get(stage);
    for (int j = 0; j < c.depths().get(stage); j++) {
      int in = c.blockIn(stage, j);
      int stride = j == 0 ? 2 : 1;
      list.add(
          stage < CoAtNetTimmConfig.FIRST_TRANSFORMER_STAGE
              ? new CoAtNetTimmMbConv(in, out, stride, c.conv())
              : new CoAtNetTimmTransformer(
                  in, out, stride, c.windowHeight(stage), c.windowWidth(stage), c.transformer()));
    }
    blocks = child("blocks", new Sequential(list));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return call(blocks, ctx, x);
  }
}
