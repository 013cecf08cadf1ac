package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ModuleList;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.TokenGrid;
import io.tfhybrid.ops.Layouts;
import io.tfhybrid.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One stage {@code stage{i}} (the reference's {@code VisionTransformer}): conv token embedding,
 * optional class token, {@code blocks.0..depth-1}. Its output is the NHWC map of the grid tokens
 * (recorded as capture {@code stage{i}}, without the class token) plus the class token, if any.
 */
final class CvtStage extends Module {
  /** The stage's two outputs: the grid map and (only with a class token) the class token. */
  record Output(Operand<TFloat32> mapNhwc, Operand<TFloat32> clsTokenB1c) {}

  private final ParamSpec clsToken; // null without CLS_TOKEN
  private final CvtConvEmbed patchEmbed;
  private final ModuleList blocks;

  CvtStage(CvtStageConfig s, int inChans, GeluKind activation) {
    // Parity quirk: POS_EMBED is in the yamls but never read: there is no positional embedding
    // parameter, so any input size works. (pos_drop, attn/proj dropout, drop-path: no-ops.)
    clsToken = s.clsToken() ? param("cls_token", Layout.AS_IS, 1, 1, s.dimEmbed()) : null;
    patchEmbed = child("patch_embed", new CvtConvEmbed(inChans, s));
    List<CvtBlock> blockList = new ArrayList<>();
    for (int j = 0; j < s.depth(); j++) {
      blockList.add(new CvtBlock(s, activation));
    }
    blocks = child("blocks", new ModuleList(blockList));
  }

  boolean hasClsToken() {
    return clsToken != null;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    return apply(ctx, xNhwc).mapNhwc();
  }

  Output apply(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    Operand<TFloat32> map = call(patchEmbed, ctx, xNhwc);
    long h = Shapes.dim(map, 1);
    long w = Shapes.dim(map, 2);
    Operand<TFloat32> x = Layouts.mapToTokens(tf, map);
    if (clsToken != null) {
      x = CvtTokens.prepend(tf, CvtTokens.expandToBatch(tf, ctx.read(clsToken), x), x);
    }
    // The reference loops over its nn.ModuleList, passing H and W; here the blocks' attention
    // reads the grid from the context.
    Ctx blocksCtx = ctx.enter(nameOf(blocks)).withTokenGrid(new TokenGrid(h, w));
    for (int j = 0; j < blocks.size(); j++) {
      x = blocks.call(j, blocksCtx, x);
    }
    Operand<TFloat32> cls = null;
    if (clsToken != null) {
      cls = CvtTokens.head(tf, x);
      x = CvtTokens.tail(tf, x);
    }
    // Parity quirk: the stage output map excludes the class token (a class token of a
    // non-final stage is simply dropped here).
    return new Output(Layouts.tokensToMap(tf, x, h, w), cls);
  }
}
