package io.tfhybrid.arch.transcnn;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.GroupNorm;
import io.tfhybrid.nn.Identity;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.ModuleList;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Pooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * TransCNN, whose official code is now named HAT-Net ({@code HAT_Net} in yun-liu/TransCNN
 * {@code HAT_Net.py}): a stem of two stride-2 convs, four stages of blocks (hierarchical
 * multi-head self-attention plus an inverted residual, GroupNorm with one group everywhere),
 * stride-2 conv downsamples between the stages, global average pooling and a linear classifier.
 *
 * <p>State-dict order: {@code patch_embed}, {@code blocks.S.I}, {@code ds2}, {@code ds3},
 * {@code ds4}, {@code classifier}; the forward order interleaves them (stem, stage 1, ds2, stage
 * 2, ds3, stage 3, ds4, stage 4, head).
 */
public final class HatNet extends ClassifierModel {
  private final HatNetConfig config;
  private final Sequential patchEmbed;
  private final ModuleList blocks;
  private final List<HatNetDownsample> downsamples;
  private final Sequential classifier;

  public HatNet(HatNetConfig config) {
    this.config = config;
    int[] dims = config.dims();
    int stem = HatNetConfig.STEM_WIDTH;
    // Parity quirk: in_chans and img_size are ignored: the stem always takes 3 channels, and the
    // graph is built for whatever legal size BuiltModel asks for.
    // Parity quirk: GroupNorm + SiLU only after the stem's first conv, no norm after the second.
    patchEmbed = child("patch_embed", new Sequential(
        Conv2d.builder(3, stem, 3).stride(2).padding(1).build(),
        new GroupNorm(1, stem, HatNetConfig.NORM_EPS),
        Act.silu(),
        Conv2d.builder(stem, dims[0], 3).stride(2).padding(1).build()));
    // blocks: an nn.ModuleList of per-stage ModuleLists, run stage by stage with ds2..ds4 in
    // between (a stage's blocks simply run in order, so each is a Sequential).
    List<Sequential> stages = new ArrayList<>();
    for (int s = 0; s < HatNetConfig.NUM_STAGES; s++) {
      HatNetStageConfig stage = config.stage(s);
      List<HatNetBlock> stageBlocks = new ArrayList<>();
      for (int i = 0; i < stage.depth(); i++) {
        stageBlocks.add(new HatNetBlock(stage, config.headDim()));
      }
      stages.add(new Sequential(stageBlocks));
    }
    blocks = child("blocks", new ModuleList(stages));
    downsamples = List.of(
        child("ds2", new HatNetDownsample(dims[0], dims[1])),
        child("ds3", new HatNetDownsample(dims[1], dims[2])),
        child("ds4", new HatNetDownsample(dims[2], dims[3])));
    classifier = child("classifier", new Sequential(
        Identity.dropout(), // Dropout(0.2): identity in inference, but it holds index 0
        new Linear(dims[3], config.numClasses(), true)));
  }

  public HatNetConfig config() {
    return config;
  }

  @Override
  public Arch arch() {
    return Arch.TRANSCNN;
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  @Override
  public int featureDim() {
    return config.featureDim();
  }

  @Override
  public void checkInputSize(long height, long width) {
    Optional<String> h = HatNetGeometry.sideProblem(config, height);
    Optional<String> w = HatNetGeometry.sideProblem(config, width);
    if (h.isEmpty() && w.isEmpty()) {
      return;
    }
    StringBuilder why = new StringBuilder();
    h.ifPresent(p -> why.append("height ").append(height).append(' ').append(p));
    w.ifPresent(p -> why.append(why.length() > 0 ? "; " : "").append("width ").append(width)
        .append(' ').append(p));
    throw new IllegalArgumentException(String.format(
        "%s (grid sizes %s, ds ratios %s) cannot run a %dx%d input: %s. Legal sides (height and"
            + " width independently): %s. The reference fails on such sizes with a reshape error;"
            + " resize or crop the image to a legal size (this port does not pad or crop).",
        arch().displayName(), Arrays.toString(config.gridSizes()),
        Arrays.toString(config.dsRatios()), height, width, why,
        HatNetGeometry.describeLegalSides(config)));
  }

  @Override
  public List<String> diagnose(Map<String, long[]> checkpointShapes) {
    return HatNetDiagnosis.hints(config, checkpointShapes);
  }

  @Override
  public Optional<String> unsupportedCheckpoint(Map<String, long[]> checkpointShapes) {
    return HatNetDiagnosis.unsupported(checkpointShapes);
  }

  @Override
  protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> xNhwc) {
    Checks.checkArg(xNhwc.shape().numDimensions() == 4 && xNhwc.shape().get(3) == 3,
        "%s input: expected [N, H, W, 3] NHWC, found %s", arch().displayName(), xNhwc.shape());
    checkInputSize(xNhwc.shape().get(1), xNhwc.shape().get(2));
    Operand<TFloat32> x = call(patchEmbed, ctx, xNhwc);
    Ctx blocksCtx = ctx.enter(nameOf(blocks));
    for (int s = 0; s < HatNetConfig.NUM_STAGES; s++) {
      if (s > 0) {
        x = call(downsamples.get(s - 1), ctx, x);
      }
      x = blocks.call(s, blocksCtx, x);
    }
    return Pooling.globalAvgPool(ctx.tf(), x, false);
  }

  @Override
  protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features) {
    return call(classifier, ctx, features);
  }
}
