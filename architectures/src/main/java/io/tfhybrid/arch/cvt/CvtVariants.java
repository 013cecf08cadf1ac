package io.tfhybrid.arch.cvt;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The official CvT variants (microsoft/CvT {@code experiments/imagenet/cvt/*.yaml}). They share
 * the embedding kernels/strides/paddings 7/3/3, 4/2/2, 2/1/1, MLP ratio 4, q/k/v bias, a class
 * token only in the last stage, {@code dw_bn} projections and 1000 classes; they differ only in
 * widths, heads and depths. A 224 and a 384 variant of the same model share the weights' shapes
 * (no positional embedding): only the checkpoint and the default resolution differ.
 *
 * <p>Preprocessing (bicubic, ImageNet mean/std): the 224 models resize the shorter side to
 * {@code int(224 / 0.875) = 256} and center-crop 224; the 384 models resize straight to 384x384
 * ({@code TEST.CENTER_CROP: False}).
 */
public final class CvtVariants {
  private CvtVariants() {}

  /** CvT-13: widths 64, 192, 384; heads 1, 3, 6; depths 1, 2, 10 (19,997,480 parameters). */
  public static final CvtConfig CVT_13 = official(new int[] {64, 192, 384}, new int[] {1, 3, 6},
      new int[] {1, 2, 10});

  /** CvT-21: widths 64, 192, 384; heads 1, 3, 6; depths 1, 4, 16 (31,622,696 parameters). */
  public static final CvtConfig CVT_21 = official(new int[] {64, 192, 384}, new int[] {1, 3, 6},
      new int[] {1, 4, 16});

  /** CvT-W24: widths 192, 768, 1024; heads 3, 12, 16; depths 2, 2, 20 (277,196,392 parameters). */
  public static final CvtConfig CVT_W24 = official(new int[] {192, 768, 1024},
      new int[] {3, 12, 16}, new int[] {2, 2, 20});

  private static final Preprocessing AT_224 =
      Preprocessing.resizeCrop(Interpolation.BICUBIC, 256, 224);
  private static final Preprocessing AT_384 = Preprocessing.resizeOnly(Interpolation.BICUBIC, 384);

  public static final Variant<CvtConfig> CVT_13_224 =
      Variant.of(Arch.CVT, "cvt_13_224", CVT_13, 224, AT_224);
  public static final Variant<CvtConfig> CVT_13_384 =
      Variant.of(Arch.CVT, "cvt_13_384", CVT_13, 384, AT_384);
  public static final Variant<CvtConfig> CVT_21_224 =
      Variant.of(Arch.CVT, "cvt_21_224", CVT_21, 224, AT_224);
  public static final Variant<CvtConfig> CVT_21_384 =
      Variant.of(Arch.CVT, "cvt_21_384", CVT_21, 384, AT_384);
  public static final Variant<CvtConfig> CVT_W24_384 =
      Variant.of(Arch.CVT, "cvt_w24_384", CVT_W24, 384, AT_384);

  public static final List<Variant<CvtConfig>> ALL =
      List.of(CVT_13_224, CVT_13_384, CVT_21_224, CVT_21_384, CVT_W24_384);

  /** Three official stages: (7, 4, 2), (3, 2, 1), (3, 2, 1), class token in the last one. */
  private static CvtConfig official(int[] dims, int[] heads, int[] depths) {
    int[] kernel = {7, 3, 3};
    int[] stride = {4, 2, 2};
    int[] padding = {2, 1, 1};
    List<CvtStageConfig> stages = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      stages.add(CvtStageConfig.official(kernel[i], stride[i], padding[i], dims[i], depths[i],
          heads[i], i == 2));
    }
    return new CvtConfig(stages, 1000, GeluKind.QUICK);
  }

  /** The official embedding kernel, stride and padding of the first stage and of the others. */
  private static final int[] FIRST_EMBED = {7, 4, 2};

  private static final int[] LATER_EMBED = {3, 2, 1};

  /** Head width of every official CvT (widths 64·k split into k heads). */
  static final int OFFICIAL_HEAD_DIM = 64;

  /** Stride of the official k/v projections (not stored in a checkpoint). */
  private static final int OFFICIAL_STRIDE_KV = 2;

  /** Reason subject of the MLP activation (a build choice no checkpoint shows). */
  public static final String MLP_ACTIVATION = "mlp_activation";

  /** The official resolution of the 224 variants, used for an inferred configuration. */
  static final int DEFAULT_SIZE = 224;

  /**
   * What a CvT checkpoint's keys and shapes say (the family's entry point for {@code
   * Models.detect}): stages, widths, embedding kernels, depths, class tokens, q/k/v bias, MLP
   * ratios, the q/k/v projection kernel and the class count. Not stored, so official values are
   * used and the reasons say so: head counts (head dim 64; the attention scale uses the stage width
   * but the split into heads changes the output), embedding strides and paddings (4/2 for a first
   * kernel of 7, 2/1 for later kernels of 3, else the official stride with (k−1)/2 padding), the
   * k/v stride 2 and the QuickGELU activation. Input 224×224. Empty when the keys are not a CvT
   * state_dict of the original code (Hugging Face names are converted with {@link CvtHfNames}).
   */
  public static Optional<Detection<CvtConfig>> detect(Map<String, long[]> shapes) {
    CvtDiagnosis.Structure found = CvtDiagnosis.Structure.of(shapes);
    if (found.isEmpty() || !shapes.containsKey("norm.weight")) {
      return Optional.empty();
    }
    int n = found.widths().size();
    List<CvtStageConfig> stages = new ArrayList<>();
    List<Integer> heads = new ArrayList<>();
    List<Integer> strides = new ArrayList<>();
    List<Integer> paddings = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Integer> qkvKernels = new ArrayList<>();
    boolean officialEmbed = true;
    try {
      for (int i = 0; i < n; i++) {
        int dim = Math.toIntExact(found.widths().get(i));
        int kernel = Math.toIntExact(found.kernels().get(i));
        long hidden = found.mlpHidden().get(i);
        long[] q = shapes.get("stage" + i + ".blocks.0.attn.conv_proj_q.conv.weight");
        if (found.depths().get(i) < 1 || hidden < 1 || q == null || q.length != 4) {
          return Optional.empty();
        }
        int[] official = i == 0 ? FIRST_EMBED : LATER_EMBED;
        int stride = official[1];
        int padding = kernel == official[0] ? official[2] : (kernel - 1) / 2;
        officialEmbed &= kernel == official[0];
        int kqkv = Math.toIntExact(q[2]);
        int h = headsFor(dim);
        CvtStageConfig s = new CvtStageConfig(kernel, stride, padding, dim, found.depths().get(i),
            h, mlpRatio(dim, hidden), found.qkvBias().get(i), found.clsTokens().get(i),
            ProjMethod.DW_BN, kqkv, (kqkv - 1) / 2, 1, (kqkv - 1) / 2, OFFICIAL_STRIDE_KV);
        stages.add(s);
        heads.add(h);
        strides.add(stride);
        paddings.add(padding);
        ratios.add(s.mlpRatio());
        qkvKernels.add(kqkv);
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Optional.empty();
    }
    int numClasses = found.numClasses() < 0 ? 0 : Math.toIntExact(found.numClasses());
    CvtConfig c;
    try {
      c = new CvtConfig(stages, numClasses, GeluKind.QUICK);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int size = Math.max(DEFAULT_SIZE, c.createModule().minInputSide());
    List<Reason> why = new ArrayList<>();
    why.add(Reason.read("topology",
        n + " stages, widths " + found.widths() + ", depths " + found.depths()
        + ": dim 0 of 'stage<i>.patch_embed.proj.weight' and the block indices"
        + " 'stage<i>.blocks.<j>'"));
    why.add(Reason.read("embedding",
        "embedding kernels " + found.kernels() + ": 'stage<i>.patch_embed.proj.weight'"
        + "; strides " + strides + ", paddings " + paddings + ": not stored, "
        + (officialEmbed ? "the official values for these kernels"
            : "the official stride per stage, (k-1)/2 padding for unofficial kernels")));
    why.add(Reason.read("cls_token",
        "class token " + found.clsTokens() + ": 'stage<i>.cls_token' present or not (the"
        + " head reads " + (c.headUsesClassToken() ? "the last stage's class token)"
            : "the mean of the normalized tokens)")));
    why.add(Reason.read("qkv_bias",
        "qkv_bias " + found.qkvBias() + ": 'stage<i>.blocks.0.attn.proj_q.bias' present or"
        + " not"));
    why.add(Reason.read("mlp_ratio",
        "mlp_ratio " + ratios + ": rows of 'stage<i>.blocks.0.mlp.fc1.weight' / width"));
    why.add(Reason.read("qkv_projection",
        "q/k/v projection dw_bn, kernel " + qkvKernels + ": 'stage<i>.blocks.0.attn"
        + ".conv_proj_q.conv.weight'; k/v stride " + OFFICIAL_STRIDE_KV
        + ": not stored, the official value"));
    why.add(Reason.assumed("num_heads",
        "num_heads " + heads + ": not stored (q, k, v are [C, C] for any head count; the"
        + " attention scale uses the stage width, but the split into heads changes the output);"
        + " assumed head dim " + OFFICIAL_HEAD_DIM + " as in every official CvT (a width that is"
        + " no multiple of " + OFFICIAL_HEAD_DIM + " takes the fewest heads of at most "
        + OFFICIAL_HEAD_DIM + " channels): if the net was trained with other heads, build it"
        + " with CvtStageConfig.withWidth(dim, heads)"));
    why.add(Reason.read(Reason.NUM_CLASSES, numClasses > 0
        ? "num_classes=" + numClasses + ": 'head.weight' is " + Checks.shape(shapes.get(
            "head.weight"))
        : "no 'head.weight': no classifier (num_classes=0, the logits are the features)"));
    why.add(Reason.assumed(MLP_ACTIVATION,
        "MLP activation QuickGELU: the official one (not visible in the weights; Hugging"
        + " Face's ports run the same weights with the exact GELU, CvtConfig.withMlpActivation)"));
    why.add(Reason.assumed(Reason.INPUT_SIZE,
        "input " + size + "x" + size + ": " + (size == DEFAULT_SIZE
        ? "the official resolution of the 224 variants" : "the smallest side every stage keeps")
        + " (the weights do not fix the input size; any side >= " + c.createModule()
        .minInputSide() + " runs)"));
    return Optional.of(Detection.of(Arch.CVT, c, size, why));
  }

  /** The fewest heads of at most 64 channels each (64-channel heads for widths 64·k). */
  static int headsFor(int dim) {
    for (int h = 1; h <= dim; h++) {
      if (dim % h == 0 && dim / h <= OFFICIAL_HEAD_DIM) {
        return h;
      }
    }
    return dim;
  }

  /** A ratio whose {@code (int) (dim * ratio)} is exactly {@code hidden}. */
  static double mlpRatio(int dim, long hidden) {
    double r = (double) hidden / dim;
    if ((int) (dim * r) != hidden) {
      r = Math.nextUp(r);
    }
    return r;
  }
}
