package io.tfhybrid.arch.coatnettimm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.StrideMode;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.RelPos;
import io.tfhybrid.arch.golden.FixtureJson;
import io.tfhybrid.nn.Checks;
import java.util.List;

/**
 * One of timm's CoAtNet configurations ({@code MaxxVitCfg} with block types C-C-T-T, spec §2),
 * built for one input size, as {@code timm.create_model(name, img_size=(height, width),
 * num_classes=...)} builds it: the relative-position windows of the transformer stages are fixed
 * by the size (spec §9), so the size is part of the config.
 *
 * @param embedDim output widths of the four stages
 * @param depths blocks per stage (each ≥ 1)
 * @param stemWidth widths of {@code stem.conv1} and {@code stem.conv2}
 * @param conv the MBConv switches (stages 0 and 1)
 * @param transformer the transformer switches (stages 2 and 3 and the final norm)
 * @param numClasses classifier outputs
 * @param height construction (= input) height
 * @param width construction (= input) width
 */
public record CoAtNetTimmConfig(
    List<Integer> embedDim,
    List<Integer> depths,
    List<Integer> stemWidth,
    CoAtNetTimmConvConfig conv,
    CoAtNetTimmTransformerConfig transformer,
    int numClasses,
    int height,
    int width)
    implements ModelConfig {

  /** Four stages: C, C, T, T. */
  public static final int NUM_STAGES = 4;
  /** Stages 0 and 1 are MBConv, 2 and 3 transformer. */
  public static final int FIRST_TRANSFORMER_STAGE = 2;
  /** Input channels (RGB). */
  public static final int IN_CHANNELS = 3;
  /** Transformer head width (heads = block input / 32). */
  public static final int DIM_HEAD = 32;
  /** MBConv expansion from the block input; transformer MLP ratio. */
  public static final int EXPAND_RATIO = 4;
  /** SE width = 0.25 of the expanded width. */
  public static final double SE_RATIO = 0.25;
  /** Stem and MBConv BatchNorm eps. */
  // Parity quirk: conv-side BatchNorm eps 1e-5, transformer-side norms 1e-6 (spec §11).
  public static final float CONV_NORM_EPS = 1e-5f;
  /** LayerNorm2d eps and transformer/final BatchNorm eps (coatnet_bn_0). */
  public static final float TRANSFORMER_NORM_EPS = 1e-6f;

  public CoAtNetTimmConfig {
    embedDim = List.copyOf(embedDim);
    depths = List.copyOf(depths);
    stemWidth = List.copyOf(stemWidth);
    Checks.checkArg(
        embedDim.size() == NUM_STAGES && depths.size() == NUM_STAGES,
        "embed_dim and depths need %s entries, found %s and %s",
        NUM_STAGES,
        embedDim,
        depths);
    Checks.checkArg(stemWidth.size() == 2, "stem_width needs 2 entries, found %s", stemWidth);
    for (int i = 0; i < NUM_STAGES; i++) {
      Checks.positive(depths.get(i), "depths[" + i + "]");
      Checks.positive(embedDim.get(i), "embed_dim[" + i + "]");
    }
    Checks.positive(stemWidth.get(0), "stem_width[0]");
    Checks.positive(stemWidth.get(1), "stem_width[1]");
    for (int i = FIRST_TRANSFORMER_STAGE; i < NUM_STAGES; i++) {
      int in = i == FIRST_TRANSFORMER_STAGE ? embedDim.get(i - 1) : embedDim.get(i);
      Checks.checkArg(
          in % DIM_HEAD == 0 && embedDim.get(i) % DIM_HEAD == 0,
          "transformer stage %s: widths %s -> %s must be multiples of the head width %s",
          i,
          in,
          embedDim.get(i),
          DIM_HEAD);
    }
    Checks.checkArg(conv != null && transformer != null, "conv and transformer are required");
    Checks.positive(numClasses, "num_classes");
    Checks.positive(height, "height");
    Checks.positive(width, "width");
    String why = sizeProblem(conv, transformer, height, width);
    Checks.checkArg(
        why == null,
        "timm's CoAtNet cannot be built for %sx%s: %s; with these switches (shortcut pool %s,"
            + " stride mode %s, transformer pool %s) H and W must be multiples of %s (or one"
            + " less: timm's stem rounds odd sides up; tfhybrid list shows the legal sides)",
        height,
        width,
        why,
        conv.poolType().timmName(),
        conv.strideMode().timmName(),
        transformer.poolType().timmName(),
        legalMultiple(conv, transformer));
  }

  /**
   * The config of a golden case: its {@code timm_create_model} call ({@code model_name} and
   * {@code kwargs}) as timm builds it.
   */
  public static CoAtNetTimmConfig fromFixture(JsonNode metadata) {
    JsonNode call = FixtureJson.field(metadata, "timm_create_model");
    CoAtNetTimmConfig base =
        CoAtNetTimmVariants.architecture(FixtureJson.field(call, "model_name").asText()).config();
    return CoAtNetTimmArgs.apply(base, FixtureJson.map(FixtureJson.field(call, "kwargs")));
  }

  public CoAtNetTimmConfig withNumClasses(int n) {
    return new CoAtNetTimmConfig(embedDim, depths, stemWidth, conv, transformer, n, height, width);
  }

  /** The same network constructed for another input size (other windows; tables change shape). */
  public CoAtNetTimmConfig withImageSize(int h, int w) {
    return new CoAtNetTimmConfig(embedDim, depths, stemWidth, conv, transformer, numClasses, h, w);
  }

  public CoAtNetTimmConfig withConv(CoAtNetTimmConvConfig c) {
    return new CoAtNetTimmConfig(embedDim, depths, stemWidth, c, transformer, numClasses, height, width);
  }

  public CoAtNetTimmConfig withTransformer(CoAtNetTimmTransformerConfig t) {
    return new CoAtNetTimmConfig(embedDim, depths, stemWidth, conv, t, numClasses, height, width);
  }

  /**
   * The same weights at another input size. Bias-MLP configs ({@code rmlp}) compute their bias
   * from the window, so they build at any size the switches allow (multiples of 32; 8 for the
   * {@code rmlp_1_rw} switches). Bias tables have {@code (2h-1)(2w-1)} rows for the construction
   * window, so a table config only runs at its own size: the error names it.
   */
  @Override
  public CoAtNetTimmConfig forInputSize(int h, int w) {
    if (h == height && w == width) {
      return this;
    }
    Checks.checkArg(
        transformer.relPos() == RelPos.MLP,
        "this CoAtNet's relative-position bias tables fit %sx%s inputs only (%s rows for the"
            + " %sx%s window of stage 2), found %sx%s; timm would have to interpolate the tables"
            + " (resize_rel_pos_bias_table), which tfhybrid does not do. Feed %sx%s (the rmlp"
            + " variants, whose bias comes from an MLP, build at any multiple of %s)",
        height,
        width,
        (2 * windowHeight(2) - 1) * (2 * windowWidth(2) - 1),
        windowHeight(2),
        windowWidth(2),
        h,
        w,
        height,
        width,
        legalMultiple(conv, transformer));
    return withImageSize(h, w);
  }

  /** The construction window (map size) of stage {@code i}: stem {@code H//2}, then ceil halves. */
  public int windowHeight(int stage) {
    return window(height, stage);
  }

  public int windowWidth(int stage) {
    return window(width, stage);
  }

  private static int window(int side, int stage) {
    int f = side / 2;
    for (int i = 0; i <= stage; i++) {
      f = (f - 1) / 2 + 1;
    }
    return f;
  }

  /** Input width of block {@code j} of stage {@code i}. */
  public int blockIn(int stage, int block) {
    if (block > 0) {
      return embedDim.get(stage);
    }
    return stage == 0 ? stemWidth.get(1) : embedDim.get(stage - 1);
  }

  /** timm's {@code make_divisible(4 * in)}: the expanded MBConv width. */
  public static int midWidth(int in) {
    double v = EXPAND_RATIO * (double) in;
    int divisor = 8;
    int m = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
    return m < 0.9 * v ? m + divisor : m;
  }

  /** The SE width {@code int(0.25 * mid)}. */
  public static int seWidth(int mid) {
    return (int) (SE_RATIO * mid);
  }

  /**
   * Why timm fails for {@code h x w} with these switches (a shortcut and main path of different
   * sizes, or a transformer map that is not its window); null when it builds.
   */
  static String sizeProblem(
      CoAtNetTimmConvConfig conv, CoAtNetTimmTransformerConfig t, int h, int w) {
    int[] actual = {(h - 1) / 2 + 1, (w - 1) / 2 + 1};
    int[] window = {h / 2, w / 2};
    for (int stage = 0; stage < NUM_STAGES; stage++) {
      for (int a = 0; a < 2; a++) {
        int n = actual[a];
        window[a] = (window[a] - 1) / 2 + 1;
        if (stage < FIRST_TRANSFORMER_STAGE) {
          int main =
              conv.strideMode() == StrideMode.POOL ? PoolType.AVG2.outSize(n) : (n - 1) / 2 + 1;
          int shortcut = conv.poolType().outSize(n);
          if (main != shortcut) {
            return "stage " + stage + " halves a side of " + n + " to " + main
                + " on the main path but to " + shortcut + " on the shortcut";
          }
          if (main == 0) {
            return "stage " + stage + " halves a side of " + n + " to nothing";
          }
          actual[a] = main;
        } else {
          int pooled = t.poolType().outSize(n);
          if (pooled == 0 || pooled != window[a]) {
            return "stage " + stage + " pools a side of " + n + " to " + pooled
                + " but its relative-position window has " + window[a];
          }
          actual[a] = pooled;
        }
      }
    }
    return null;
  }

  /** The step of the legal input sides for these switches: 8 when it works, else 32. */
  static int legalMultiple(CoAtNetTimmConvConfig conv, CoAtNetTimmTransformerConfig t) {
    for (int k = 1; k <= 32; k++) {
      if (sizeProblem(conv, t, 8 * k, 8 * k) != null) {
        return 32;
      }
    }
    return 8;
  }

  /** The legal input-side step of this config (32, or 8 for the rmlp_1_rw switches). */
  public int legalMultiple() {
    return legalMultiple(conv, transformer);
  }

  @Override
  public CoAtNetTimm createModule() {
    return new CoAtNetTimm(this);
  }
}
