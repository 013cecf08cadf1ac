package io.tfhybrid.arch.transcnn;

import static io.tfhybrid.arch.golden.FixtureJson.field;
import static io.tfhybrid.arch.golden.FixtureJson.intArray;
import static io.tfhybrid.arch.golden.FixtureJson.intField;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * Hyper-parameters of TransCNN / HAT-Net ({@code HAT_Net(...)} in {@code HAT_Net.py}): four stages,
 * one head width shared by all of them, and the class count.
 *
 * <p>Parity quirk: the reference's {@code in_chans} and {@code img_size} arguments are ignored (the
 * stem always takes 3 channels; the model is size-agnostic within the input-size rule of
 * {@link HatNet#checkInputSize}), so this record has neither.
 *
 * @param stages exactly four stages ({@code blocks.0..3}; {@code ds2..ds4} are fixed in the
 *     reference)
 * @param headDim channels per head ({@code head_dim}); every stage width must be a multiple
 * @param numClasses classifier outputs
 */
public record HatNetConfig(List<HatNetStageConfig> stages, int headDim, int numClasses)
    implements ModelConfig {

  /** The reference builds exactly four stages and the downsamples ds2, ds3, ds4 between them. */
  public static final int NUM_STAGES = 4;

  /** GroupNorm eps everywhere in HAT-Net (not PyTorch's default 1e-5). */
  public static final float NORM_EPS = 1e-6f;

  /** Output channels of the stem's first conv. */
  public static final int STEM_WIDTH = 16;

  /** The config of the reference's hyper-parameter names (variants.json or a case's build). */
  public static HatNetConfig fromReference(JsonNode hp, int numClasses) {
    return of(intArray(field(hp, "dims")), intField(hp, "head_dim"),
        intArray(field(hp, "expansions")), intArray(field(hp, "grid_sizes")),
        intArray(field(hp, "ds_ratios")), intArray(field(hp, "depths")),
        intArray(field(hp, "kernel_sizes")), numClasses);
  }

  /** The config a golden case was generated with: its metadata's {@code build} object. */
  public static HatNetConfig fromFixture(JsonNode metadata) {
    JsonNode build = field(metadata, "build");
    return fromReference(field(build, "hyper_parameters"), intField(build, "num_classes"));
  }

  public HatNetConfig {
    Checks.checkArg(stages != null && stages.size() == NUM_STAGES,
        "HAT-Net has exactly %s stages (blocks.0..3 with ds2, ds3, ds4 between them), found %s",
        NUM_STAGES, stages == null ? "null" : stages.size());
    stages = List.copyOf(stages);
    Checks.positive(headDim, "head_dim");
    Checks.positive(numClasses, "num_classes");
    for (int s = 0; s < NUM_STAGES; s++) {
      int dim = stages.get(s).dim();
      Checks.checkArg(dim % headDim == 0,
          "stage %s: dim %s must be a multiple of head_dim %s (heads = dim / head_dim)", s + 1, dim,
          headDim);
    }
  }

  /**
   * The reference's constructor arguments, list by list ({@code dims}, {@code head_dim},
   * {@code expansions}, {@code grid_sizes}, {@code ds_ratios}, {@code depths},
   * {@code kernel_sizes}, {@code num_classes}). Parity quirk: {@code ds_ratios} are independent of
   * {@code grid_sizes} (official stages 2 and 3 pool by 4 and 2 with windows of 7).
   */
  public static HatNetConfig of(int[] dims, int headDim, int[] expansions, int[] gridSizes,
      int[] dsRatios, int[] depths, int[] kernelSizes, int numClasses) {
    int[][] lists = {dims, expansions, gridSizes, dsRatios, depths, kernelSizes};
    String[] names = {"dims", "expansions", "grid_sizes", "ds_ratios", "depths", "kernel_sizes"};
    for (int i = 0; i < lists.length; i++) {
      Checks.checkArg(lists[i] != null && lists[i].length == NUM_STAGES,
          "%s must have %s entries (one per stage), found %s", names[i], NUM_STAGES,
          lists[i] == null ? "null" : lists[i].length);
    }
    List<HatNetStageConfig> stages = new ArrayList<>();
    for (int s = 0; s < NUM_STAGES; s++) {
      stages.add(new HatNetStageConfig(dims[s], depths[s], expansions[s], gridSizes[s],
          dsRatios[s], kernelSizes[s]));
    }
    return new HatNetConfig(stages, headDim, numClasses);
  }

  public HatNetStageConfig stage(int s) {
    return stages.get(s);
  }

  /** Heads of stage {@code s} ({@code dim / head_dim}). */
  public int numHeads(int s) {
    return stages.get(s).dim() / headDim;
  }

  public int[] dims() {
    return stages.stream().mapToInt(HatNetStageConfig::dim).toArray();
  }

  public int[] depths() {
    return stages.stream().mapToInt(HatNetStageConfig::depth).toArray();
  }

  public int[] expansions() {
    return stages.stream().mapToInt(HatNetStageConfig::expansion).toArray();
  }

  public int[] gridSizes() {
    return stages.stream().mapToInt(HatNetStageConfig::gridSize).toArray();
  }

  public int[] dsRatios() {
    return stages.stream().mapToInt(HatNetStageConfig::dsRatio).toArray();
  }

  public int[] kernelSizes() {
    return stages.stream().mapToInt(HatNetStageConfig::kernelSize).toArray();
  }

  /** Width of the pooled features (the classifier's input), {@code dims[3]}. */
  public int featureDim() {
    return stages.get(NUM_STAGES - 1).dim();
  }

  public HatNetConfig withNumClasses(int n) {
    return new HatNetConfig(stages, headDim, n);
  }

  /** The same stages with other depths (e.g. one block per stage for a small test model). */
  public HatNetConfig withDepths(int... depths) {
    Checks.checkArg(depths.length == NUM_STAGES, "depths must have %s entries, found %s",
        NUM_STAGES, depths.length);
    List<HatNetStageConfig> s = new ArrayList<>();
    for (int i = 0; i < NUM_STAGES; i++) {
      s.add(stages.get(i).withDepth(depths[i]));
    }
    return new HatNetConfig(s, headDim, numClasses);
  }

  public HatNetConfig withStages(List<HatNetStageConfig> newStages) {
    return new HatNetConfig(newStages, headDim, numClasses);
  }

  @Override
  public HatNet createModule() {
    return new HatNet(this);
  }
}
