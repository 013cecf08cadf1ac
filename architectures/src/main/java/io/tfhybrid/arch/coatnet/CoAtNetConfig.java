package io.tfhybrid.arch.coatnet;

import static io.tfhybrid.arch.golden.FixtureJson.field;
import static io.tfhybrid.arch.golden.FixtureJson.intField;
import static io.tfhybrid.arch.golden.FixtureJson.ints;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * The constructor arguments of the reference {@code CoAtNet(image_size, in_channels, num_blocks,
 * channels, num_classes, block_types)} (chinhsuanwu/coatnet-pytorch). The image size is part of
 * the config because it fixes the relative-position tables and token grids of every Transformer
 * block: a model runs only at the size it was built for (spec §6), square and a multiple of 32.
 * {@code in_channels} is always 3 (RGB NHWC input), so it is not a field.
 *
 * @param imageSize build size H0 = W0 (a positive multiple of 32)
 * @param numBlocks blocks per stage s0..s4 (5 entries, each ≥ 1; s0 counts stem conv units)
 * @param channels widths D0..D4 of stages s0..s4 (5 entries)
 * @param blockTypes block type of s1..s4 (4 entries; the official layout is C-C-T-T)
 * @param numClasses classifier outputs
 */
public record CoAtNetConfig(int imageSize, List<Integer> numBlocks, List<Integer> channels,
    List<CoAtNetBlockType> blockTypes, int numClasses) implements ModelConfig {

  /** Input channels of the stem (RGB). */
  public static final int IN_CHANNELS = 3;
  /** Stages s0..s4. */
  public static final int NUM_STAGES = 5;
  /** Every spatial size is divided by 2 five times: s0..s4 each downsample once. */
  public static final int TOTAL_STRIDE = 32;
  /** Attention heads of every Transformer block (fixed in the reference, not a width/32 rule). */
  public static final int HEADS = 8;
  /** Width of one attention head. */
  public static final int DIM_HEAD = 32;
  /** {@code HEADS · DIM_HEAD}: the width of q, k, v and of {@code to_out}'s input. */
  public static final int INNER_DIM = HEADS * DIM_HEAD;
  /** MBConv expansion: hidden width = 4 · block input. */
  public static final int MBCONV_EXPANSION = 4;
  /** SE width divisor: se = floor(block input / 4). */
  public static final int SE_DIVISOR = 4;
  /** Transformer FFN hidden width = 4 · block input. */
  public static final int FFN_RATIO = 4;
  /** BatchNorm2d and LayerNorm eps (PyTorch defaults). */
  // Parity quirk: BatchNorm and LayerNorm eps are both 1e-5 (Keras' default 1e-3 would be wrong).
  public static final float NORM_EPS = 1e-5f;

  /** The official layout C-C-T-T. */
  public static final List<CoAtNetBlockType> LAYOUT_CCTT = CoAtNetBlockType.layout("C-C-T-T");

  /**
   * The config of a reference constructor call ({@code image_size}, {@code num_blocks},
   * {@code channels}, {@code block_types}, {@code num_classes}, optional {@code in_channels}).
   */
  public static CoAtNetConfig fromReference(JsonNode ctor) {
    List<Integer> size = ints(field(ctor, "image_size"));
    Checks.checkArg(size.size() == 2 && size.get(0).equals(size.get(1)),
        "image_size: expected a square [n, n], found %s", size);
    if (ctor.has("in_channels")) {
      Checks.checkArg(intField(ctor, "in_channels") == IN_CHANNELS,
          "in_channels: expected %s, found %s", IN_CHANNELS, ctor.get("in_channels"));
    }
    List<CoAtNetBlockType> types = new ArrayList<>();
    field(ctor, "block_types").forEach(t -> types.add(CoAtNetBlockType.of(t.asText())));
    return new CoAtNetConfig(size.get(0), ints(field(ctor, "num_blocks")),
        ints(field(ctor, "channels")), types, intField(ctor, "num_classes"));
  }

  /** The config a golden case was generated with: its metadata's {@code constructor}. */
  public static CoAtNetConfig fromFixture(JsonNode metadata) {
    return fromReference(field(metadata, "constructor"));
  }

  public CoAtNetConfig {
    Checks.checkArg(imageSize > 0 && imageSize % TOTAL_STRIDE == 0,
        "CoAtNet image_size must be a positive multiple of %s (every stage halves the map and the"
            + " Transformer grids are fixed at H0/2^(K+1)), found %s; legal sizes: 32, 64, ...,"
            + " 224, 256, ...",
        TOTAL_STRIDE, imageSize);
    numBlocks = List.copyOf(numBlocks);
    channels = List.copyOf(channels);
    blockTypes = List.copyOf(blockTypes);
    Checks.checkArg(numBlocks.size() == NUM_STAGES,
        "CoAtNet num_blocks needs %s entries (s0..s4), found %s", NUM_STAGES, numBlocks);
    Checks.checkArg(channels.size() == NUM_STAGES,
        "CoAtNet channels needs %s entries (s0..s4), found %s", NUM_STAGES, channels);
    Checks.checkArg(blockTypes.size() == NUM_STAGES - 1,
        "CoAtNet block_types needs %s entries (s1..s4), found %s", NUM_STAGES - 1, blockTypes);
    for (int k = 0; k < NUM_STAGES; k++) {
      Checks.checkArg(numBlocks.get(k) >= 1, "CoAtNet num_blocks[%s] (s%s) must be >= 1, found %s",
          k, k, numBlocks.get(k));
      Checks.checkArg(channels.get(k) >= 1, "CoAtNet channels[%s] (s%s) must be >= 1, found %s",
          k, k, channels.get(k));
    }
    for (int k = 1; k < NUM_STAGES; k++) {
      if (blockTypes.get(k - 1) == CoAtNetBlockType.MBCONV) {
        // The SE width floor(inp/4) of every MBConv block must be at least 1.
        int minIn = numBlocks.get(k) > 1 ? Math.min(channels.get(k - 1), channels.get(k))
            : channels.get(k - 1);
        Checks.checkArg(minIn >= SE_DIVISOR,
            "CoAtNet stage s%s is MBConv: its block inputs (%s%s) must be >= %s so that the SE"
                + " width floor(inp/4) is at least 1", k, channels.get(k - 1),
            numBlocks.get(k) > 1 ? " and " + channels.get(k) : "", SE_DIVISOR);
      }
    }
    Checks.positive(numClasses, "num_classes");
  }

  /** The official C-C-T-T layout. */
  public static CoAtNetConfig of(int imageSize, List<Integer> numBlocks, List<Integer> channels,
      int numClasses) {
    return new CoAtNetConfig(imageSize, numBlocks, channels, LAYOUT_CCTT, numClasses);
  }

  public CoAtNetConfig withNumClasses(int n) {
    return new CoAtNetConfig(imageSize, numBlocks, channels, blockTypes, n);
  }

  /** The same network built for another input size (other table shapes, spec §6). */
  public CoAtNetConfig withImageSize(int size) {
    return new CoAtNetConfig(size, numBlocks, channels, blockTypes, numClasses);
  }

  public CoAtNetConfig withBlockTypes(List<CoAtNetBlockType> types) {
    return new CoAtNetConfig(imageSize, numBlocks, channels, types, numClasses);
  }

  /** The construction-time side of stage {@code k}'s maps: {@code H0 // 2^(k+1)}. */
  public int stageSize(int k) {
    Checks.checkArg(k >= 0 && k < NUM_STAGES, "stage index %s not in 0..4", k);
    return imageSize >> (k + 1);
  }

  /** Type of stage {@code k} (1..4). */
  public CoAtNetBlockType blockType(int k) {
    Checks.checkArg(k >= 1 && k < NUM_STAGES, "stage s%s has no block type (s1..s4 do)", k);
    return blockTypes.get(k - 1);
  }

  /** Same network up to the build size and class count (what a checkpoint's structure fixes). */
  boolean sameNetwork(CoAtNetConfig other) {
    return numBlocks.equals(other.numBlocks) && channels.equals(other.channels)
        && blockTypes.equals(other.blockTypes);
  }

  @Override
  public CoAtNet createModule() {
    return new CoAtNet(this);
  }

  /** The reference constructor call this config stands for. */
  public String describe() {
    return "CoAtNet(image_size=" + imageSize + ", num_blocks=" + numBlocks + ", channels="
        + channels + ", block_types=" + CoAtNetBlockType.describe(blockTypes) + ", num_classes="
        + numClasses + ")";
  }
}
