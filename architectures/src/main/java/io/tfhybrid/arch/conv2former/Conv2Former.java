package io.tfhybrid.arch.conv2former;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ModuleList;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Conv;
import io.tfhybrid.ops.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Conv2Former: a 4-stage ConvNet whose blocks replace self-attention by convolutional
 * modulation. Module tree and keys follow {@code models/conv2former.py}:
 * {@code downsample_layers.{0..3}}, {@code stages.{0..3}.{j}}, {@code head}, {@code pred}.
 */
public final class Conv2Former extends ClassifierModel {
  private final Conv2FormerConfig config;
  private final ModuleList downsampleLayers;
  private final ModuleList stages;
  private final Sequential head;
  private final Linear pred;

  public Conv2Former(Conv2FormerConfig config) {
    this.config = config;
    List<Integer> dims = config.dims();
    int s = config.stemWidth();
    List<Module> ds = new ArrayList<>();
    // Parity quirk: stem order is conv -> GELU -> BatchNorm (twice), then a 2x2/2 conv without
    // bias and without norm; BatchNorm (eps 1e-5) appears only here.
    ds.add(new Sequential(
        Conv2d.builder(3, s, 3).stride(2).padding(1).bias(false).build(),
        Act.gelu(),
        new BatchNorm2d(s),
        Conv2d.builder(s, s, 3).padding(1).bias(false).build(),
        Act.gelu(),
        new BatchNorm2d(s),
        Conv2d.builder(s, dims.get(0), 2).stride(2).bias(false).build()));
    for (int i = 1; i < 4; i++) {
      // Parity quirk: channel LayerNorm (eps 1e-6) before each 2x2/2 conv; the conv is VALID, so
      // an odd last row/column is dropped as PyTorch's floor does.
      ds.add(new Sequential(
          LayerNorm.channelsFirst(dims.get(i - 1), Conv2FormerConfig.LN_EPS),
          Conv2d.builder(dims.get(i - 1), dims.get(i), 2).stride(2).build()));
    }
    downsampleLayers = child("downsample_layers", new ModuleList(ds));
    List<Module> st = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      List<Module> blocks = new ArrayList<>();
      for (int j = 0; j < config.depths().get(i); j++) {
        blocks.add(new Conv2FormerBlock(dims.get(i), config.kernelSize(), config.mlpRatios().get(i)));
      }
      st.add(new Sequential(blocks));
    }
    stages = child("stages", new ModuleList(st));
    // Parity quirk: head = 1x1 conv to 1280, GELU, LayerNorm per pixel BEFORE the spatial mean.
    head = child("head", new Sequential(
        Conv2d.builder(dims.get(3), Conv2FormerConfig.HEAD_WIDTH, 1).build(),
        Act.gelu(),
        LayerNorm.channelsFirst(Conv2FormerConfig.HEAD_WIDTH, Conv2FormerConfig.LN_EPS)));
    pred = child("pred", new Linear(Conv2FormerConfig.HEAD_WIDTH, config.numClasses(), true));
  }

  public Conv2FormerConfig config() {
    return config;
  }

  @Override
  public Arch arch() {
    return Arch.CONV2FORMER;
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  @Override
  public int featureDim() {
    return Conv2FormerConfig.HEAD_WIDTH;
  }

  /** Stage-3 map size for an input side n: ceil(n/2) after stem conv 0, then four floor halvings. */
  static long lastStageSize(long n) {
    long h0 = Conv.outSize(n, 3, 2, 1);
    return h0 / 2 / 2 / 2 / 2;
  }

  @Override
  public void checkInputSize(long height, long width) {
    Checks.checkArg(lastStageSize(height) >= 1 && lastStageSize(width) >= 1,
        "Conv2Former input %sx%s is too small: every side must be at least 31 pixels (the stage-3 "
            + "map must keep one pixel); any H, W >= 31 works, square or not", height, width);
  }

  @Override
  protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> x) {
    Ctx dsCtx = ctx.enter(nameOf(downsampleLayers));
    Ctx stCtx = ctx.enter(nameOf(stages));
    for (int i = 0; i < 4; i++) {
      x = downsampleLayers.call(i, dsCtx, x);
      x = stages.call(i, stCtx, x);
    }
    x = call(head, ctx, x);
    return Pooling.globalAvgPool(ctx.tf(), x, false);
  }

  @Override
  protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features) {
    return call(pred, ctx, features);
  }

  @Override
  public List<String> diagnose(Map<String, long[]> shapes) {
    List<String> hints = new ArrayList<>();
    Optional<Conv2FormerConfig> inferred =
        Conv2FormerVariants.detect(shapes).map(io.tfhybrid.arch.Detection::config);
    if (inferred.isEmpty()) {
      if (shapes.keySet().stream().anyMatch(k -> k.contains(".attn.a."))) {
        hints.add("keys 'stages.*.attn.a.*' come from the Dec 2022 pre-release code (convmod.py);"
            + " rename 'attn.a.' to 'attn.att.'");
      }
      return hints;
    }
    Conv2FormerConfig c = inferred.get();
    if (c.kernelSize() != config.kernelSize()) {
      hints.add("the checkpoint's depthwise kernel is " + c.kernelSize() + "x" + c.kernelSize()
          + " ('stages.0.0.attn.att.2.weight' " + Checks.shape(shapes.get("stages.0.0.attn.att.2.weight"))
          + "), this model uses " + config.kernelSize() + ": the kernel size is not in a checkpoint's"
          + " name, pick the variant that matches");
    }
    if (c.numClasses() != config.numClasses() && c.withNumClasses(config.numClasses()).equals(config)) {
      hints.add("the checkpoint has " + c.numClasses() + " classes: use Conv2FormerConfig.withNumClasses("
          + c.numClasses() + ")");
    }
    Conv2FormerVariants.ALL.stream()
        .filter(v -> v.config().withNumClasses(c.numClasses()).equals(c))
        .findFirst()
        .ifPresentOrElse(
            v -> hints.add("the checkpoint looks like variant '" + v.id() + "' (k=" + c.kernelSize()
                + ", dims " + c.dims() + ", depths " + c.depths() + ")"),
            () -> hints.add("the checkpoint's configuration: k=" + c.kernelSize() + ", dims " + c.dims()
                + ", depths " + c.depths() + ", mlp ratios " + c.mlpRatios() + ", " + c.numClasses()
                + " classes (no official variant has it)"));
    return hints;
  }
}
