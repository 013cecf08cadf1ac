package io.tfhybrid.arch.transcnn;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a TransCNN / HAT-Net checkpoint that does not load looks like: another registered
 * variant, another class count, a HAT-Net with other hyper-parameters, or a checkpoint of the
 * withdrawn TransCNN v1 release (2021, {@code TransCNN.py}: BatchNorm with running statistics,
 * a two-branch downsample {@code dsN.conv/residual/norm1/norm2}, no {@code attn.proj_norm},
 * 256 px), which cannot be loaded into a HAT-Net graph at all.
 */
final class HatNetDiagnosis {
  private HatNetDiagnosis() {}

  /** The one-line verdict for a TransCNN v1 checkpoint. */
  static final String V1_VERDICT =
      "TransCNN v1 checkpoint: not supported, use the HAT-Net release";

  private static final Pattern V1_DOWNSAMPLE =
      Pattern.compile("ds[234]\\.(residual|norm1|norm2)\\..*");
  private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
  private static final String CLASSIFIER_WEIGHT = "classifier.1.weight";

  /** A withdrawn v1 variant (release v1.0): name, dims and depths, and its HAT-Net successor. */
  private record V1Variant(String name, int[] dims, int[] depths, String successor) {}

  private static final List<V1Variant> V1_VARIANTS = List.of(
      new V1Variant("TransCNN_Tiny", new int[] {64, 128, 256, 512}, new int[] {2, 2, 4, 2},
          "transcnn_tiny_224"),
      new V1Variant("TransCNN_Small", new int[] {64, 128, 256, 512}, new int[] {3, 4, 8, 3},
          "transcnn_small_224"),
      new V1Variant("TransCNN_Medium", new int[] {64, 128, 320, 640}, new int[] {3, 4, 12, 3},
          "transcnn_medium_224"),
      new V1Variant("TransCNN_Large", new int[] {64, 128, 384, 768}, new int[] {3, 4, 16, 3},
          "transcnn_large_224"));

  /** The registered variants' keys and shapes, computed once (declarations only, no TF). */
  private static final class Registered {
    static final Map<String, Map<String, long[]>> SHAPES = compute();

    private static Map<String, Map<String, long[]>> compute() {
      Map<String, Map<String, long[]>> m = new LinkedHashMap<>();
      for (Variant<HatNetConfig> v : HatNetVariants.ALL) {
        m.put(v.id(), v.config().createModule().stateDictShapes());
      }
      return m;
    }
  }

  /** Whether the keys are those of the withdrawn TransCNN v1 code rather than HAT-Net. */
  static boolean isTransCnnV1(Map<String, long[]> shapes) {
    boolean batchNormStats = false;
    boolean twoBranchDownsample = false;
    boolean projNorm = false;
    boolean blocks = false;
    for (String k : shapes.keySet()) {
      batchNormStats |= k.endsWith(".running_mean") || k.endsWith(".running_var")
          || k.endsWith(".num_batches_tracked");
      twoBranchDownsample |= V1_DOWNSAMPLE.matcher(k).matches();
      projNorm |= k.contains(".attn.proj_norm.");
      blocks |= k.startsWith("blocks.") || k.startsWith("ds2.");
    }
    return blocks && !projNorm && (twoBranchDownsample || batchNormStats);
  }

  /** The loader's verdict: a v1 checkpoint is rejected as such. */
  static Optional<String> unsupported(Map<String, long[]> shapes) {
    return isTransCnnV1(shapes) ? Optional.of(V1_VERDICT) : Optional.empty();
  }

  /** Hints for a checkpoint that does not load into {@code own}. */
  static List<String> hints(HatNetConfig own, Map<String, long[]> shapes) {
    List<String> hints = new ArrayList<>();
    if (isTransCnnV1(shapes)) {
      hints.add(v1Hint(shapes));
      return hints;
    }
    Map<String, long[]> ownShapes = own.createModule().stateDictShapes();
    long[] cls = shapes.get(CLASSIFIER_WEIGHT);
    if (sameBackbone(ownShapes, shapes)) {
      if (cls != null && cls.length == 2 && cls[0] != own.numClasses()) {
        hints.add(String.format("the checkpoint has %d classes ('%s' %s); for a different class"
            + " count use HatNetConfig.withNumClasses(%d)", cls[0], CLASSIFIER_WEIGHT,
            Checks.shape(cls), cls[0]));
      }
      return hints;
    }
    for (Map.Entry<String, Map<String, long[]>> e : Registered.SHAPES.entrySet()) {
      if (sameBackbone(e.getValue(), shapes)) {
        Variant<HatNetConfig> v = HatNetVariants.ALL.stream()
            .filter(x -> x.id().equals(e.getKey())).findFirst().orElseThrow();
        String classes = cls != null && cls.length == 2 && cls[0] != v.config().numClasses()
            ? String.format(", with %d classes (HatNetConfig.withNumClasses(%d))", cls[0], cls[0])
            : "";
        hints.add(String.format("the checkpoint looks like variant '%s' (%s, %s: dims %s, depths"
            + " %s, kernel sizes %s)%s", v.id(), referenceName(v),
            HatNetVariants.CHECKPOINT_FILES.get(v.id()), Arrays.toString(v.config().dims()),
            Arrays.toString(v.config().depths()), Arrays.toString(v.config().kernelSizes()),
            classes));
        return hints;
      }
    }
    inferred(shapes).ifPresent(hints::add);
    return hints;
  }

  private static String referenceName(Variant<HatNetConfig> v) {
    return HatNetVariants.REFERENCE_NAMES.entrySet().stream()
        .filter(e -> e.getValue() == v).map(Map.Entry::getKey).findFirst().orElse(v.id());
  }

  /** Same keys and shapes apart from the classifier (which only fixes the class count). */
  private static boolean sameBackbone(Map<String, long[]> a, Map<String, long[]> b) {
    int n = 0;
    for (Map.Entry<String, long[]> e : a.entrySet()) {
      if (e.getKey().startsWith("classifier.")) {
        continue;
      }
      long[] other = b.get(e.getKey());
      if (other == null || !Arrays.equals(other, e.getValue())) {
        return false;
      }
      n++;
    }
    long others = b.keySet().stream().filter(k -> !k.startsWith("classifier.")).count();
    return n == others;
  }

  /** Per-stage dims and depths read from {@code blocks.S.I.attn.qkv.weight} ([3C, C, 1, 1]). */
  private static int[][] dimsAndDepths(Map<String, long[]> shapes) {
    int[] dims = new int[HatNetConfig.NUM_STAGES];
    int[] depths = new int[HatNetConfig.NUM_STAGES];
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      Matcher m = BLOCK_KEY.matcher(e.getKey());
      if (!m.matches() || !m.group(3).equals("attn.qkv.weight")) {
        continue;
      }
      int s = Integer.parseInt(m.group(1));
      int i = Integer.parseInt(m.group(2));
      if (s >= HatNetConfig.NUM_STAGES || e.getValue().length < 2) {
        continue;
      }
      dims[s] = (int) e.getValue()[1];
      depths[s] = Math.max(depths[s], i + 1);
    }
    return new int[][] {dims, depths};
  }

  private static String v1Hint(Map<String, long[]> shapes) {
    int[][] dd = dimsAndDepths(shapes);
    List<String> evidence = new ArrayList<>();
    shapes.keySet().stream().filter(k -> k.endsWith(".running_mean")).findFirst()
        .ifPresent(k -> evidence.add("BatchNorm running statistics ('" + k + "')"));
    shapes.keySet().stream().filter(k -> V1_DOWNSAMPLE.matcher(k).matches()).findFirst()
        .ifPresent(k -> evidence.add("a two-branch downsample ('" + k + "')"));
    evidence.add("no 'attn.proj_norm'");
    String looksLike = "";
    String successor = "the HAT-Net variant of the same size";
    for (V1Variant v : V1_VARIANTS) {
      if (Arrays.equals(v.dims(), dd[0]) && Arrays.equals(v.depths(), dd[1])) {
        looksLike = " It looks like " + v.name() + " (dims " + Arrays.toString(v.dims())
            + ", depths " + Arrays.toString(v.depths()) + ").";
        successor = "'" + HatNetVariants.CHECKPOINT_FILES.get(v.successor()) + "' (variant '"
            + v.successor() + "')";
      }
    }
    return V1_VERDICT + ". The keys have " + String.join(", ", evidence) + ": this is a"
        + " checkpoint of the withdrawn 2021 TransCNN code (TransCNN.py, release v1.0"
        + " 'TransCNN-*.pth', 256x256), which differs from HAT-Net in keys, shapes, normalisation"
        + " and downsampling, so no mapping exists." + looksLike + " Download " + successor
        + " from release v2.0 of yun-liu/HAT-Net instead.";
  }

  /** Hyper-parameters readable from the keys of a HAT-Net checkpoint of no registered variant. */
  private static Optional<String> inferred(Map<String, long[]> shapes) {
    int[][] dd = dimsAndDepths(shapes);
    int[] dims = dd[0];
    int[] depths = dd[1];
    if (Arrays.stream(dims).anyMatch(d -> d == 0)) {
      return Optional.empty();
    }
    int[] expansions = new int[HatNetConfig.NUM_STAGES];
    int[] kernels = new int[HatNetConfig.NUM_STAGES];
    List<Integer> hierarchical = new ArrayList<>();
    for (int s = 0; s < HatNetConfig.NUM_STAGES; s++) {
      long[] expand = shapes.get("blocks." + s + ".0.conv.conv1.1.weight");
      long[] dw = shapes.get("blocks." + s + ".0.conv.conv2.0.weight");
      expansions[s] = expand == null ? 0 : (int) (expand[0] / dims[s]);
      kernels[s] = dw == null || dw.length < 3 ? 0 : (int) dw[2];
      if (shapes.containsKey("blocks." + s + ".0.attn.grid_norm.weight")) {
        hierarchical.add(s + 1);
      }
    }
    long[] cls = shapes.get(CLASSIFIER_WEIGHT);
    return Optional.of(String.format("the checkpoint looks like a HAT-Net of no registered"
        + " variant: dims %s, depths %s, expansions %s, kernel sizes %s, windowed attention in"
        + " stages %s%s (grid sizes, ds ratios and head_dim are not stored in a checkpoint); build"
        + " it with HatNetConfig.of(...)", Arrays.toString(dims), Arrays.toString(depths),
        Arrays.toString(expansions), Arrays.toString(kernels), hierarchical,
        cls != null && cls.length == 2 ? ", " + cls[0] + " classes" : ""));
  }

  /** The official resolution, used for an inferred configuration when it is legal. */
  static final int DEFAULT_SIZE = 224;

  /** Official head widths: 48 for the tiny net (dims[0] 48), else 64. */
  private static final int TINY_DIM0 = 48;

  private static final int TINY_HEAD_DIM = 48;
  private static final int HEAD_DIM = 64;

  /** Official expansions and kernels, for a stage without blocks (nothing shows them). */
  private static final int[] OFFICIAL_EXPANSIONS = {8, 8, 4, 4};

  private static final int OFFICIAL_KERNEL = 3;

  /** Official grid sizes and ds ratios; a windowed stage where the official one is global. */
  private static final int[] OFFICIAL_GRIDS = {8, 7, 7, 1};

  private static final int[] OFFICIAL_DS = {8, 4, 2, 1};
  private static final int WINDOWED_STAGE = 2;

  /**
   * The configuration a HAT-Net checkpoint's keys and shapes describe: dims from the stem and
   * downsample convs, depths from the block indices, expansions and kernel sizes from the first
   * block of each stage, windowed attention from the {@code grid_norm} keys, the class count from
   * the classifier. Grid sizes, ds ratios and head_dim are not stored: the official values are
   * used (and the reasons say so). Empty for a TransCNN v1 checkpoint (see {@link #V1_VERDICT})
   * or keys that are not a HAT-Net state_dict.
   */
  static Optional<Detection<HatNetConfig>> detect(Map<String, long[]> shapes) {
    if (isTransCnnV1(shapes)) {
      return Optional.empty();
    }
    long[] stem = shapes.get("patch_embed.3.weight");
    long[] cls = shapes.get(CLASSIFIER_WEIGHT);
    if (stem == null || stem.length != 4 || cls == null || cls.length != 2) {
      return Optional.empty();
    }
    int n = HatNetConfig.NUM_STAGES;
    int[] dims = new int[n];
    dims[0] = (int) stem[0];
    for (int s = 1; s < n; s++) {
      long[] ds = shapes.get("ds" + (s + 1) + ".conv.weight");
      if (ds == null || ds.length != 4) {
        return Optional.empty();
      }
      dims[s] = (int) ds[0];
    }
    int[] depths = new int[n];
    for (String k : shapes.keySet()) {
      Matcher m = BLOCK_KEY.matcher(k);
      if (m.matches()) {
        int s = Integer.parseInt(m.group(1));
        if (s >= n) {
          return Optional.empty();
        }
        depths[s] = Math.max(depths[s], Integer.parseInt(m.group(2)) + 1);
      }
    }
    int[] expansions = new int[n];
    int[] kernels = new int[n];
    int[] grids = new int[n];
    int[] dsRatios = new int[n];
    List<String> assumed = new ArrayList<>();
    List<String> windowed = new ArrayList<>();
    boolean unofficialWindows = false;
    for (int s = 0; s < n; s++) {
      String b = "blocks." + s + ".0.";
      if (depths[s] == 0) {
        expansions[s] = OFFICIAL_EXPANSIONS[s];
        kernels[s] = OFFICIAL_KERNEL;
        grids[s] = OFFICIAL_GRIDS[s];
        dsRatios[s] = OFFICIAL_DS[s];
        assumed.add("stage " + (s + 1));
        continue;
      }
      long[] expand = shapes.get(b + "conv.conv1.1.weight");
      long[] dw = shapes.get(b + "conv.conv2.0.weight");
      if (expand == null || expand.length != 4 || dw == null || dw.length != 4
          || expand[0] % dims[s] != 0) {
        return Optional.empty();
      }
      expansions[s] = (int) (expand[0] / dims[s]);
      kernels[s] = (int) dw[2];
      if (shapes.containsKey(b + "attn.grid_norm.weight")) {
        windowed.add("stage " + (s + 1));
        unofficialWindows |= OFFICIAL_GRIDS[s] == 1;
        int w = OFFICIAL_GRIDS[s] > 1 ? s : WINDOWED_STAGE;
        grids[s] = OFFICIAL_GRIDS[w];
        dsRatios[s] = OFFICIAL_DS[w];
      } else {
        grids[s] = 1;
        dsRatios[s] = 1;
      }
    }
    int gcd = 0;
    for (int d : dims) {
      gcd = java.math.BigInteger.valueOf(gcd).gcd(java.math.BigInteger.valueOf(d)).intValue();
    }
    int official = dims[0] == TINY_DIM0 ? TINY_HEAD_DIM : HEAD_DIM;
    int headDim = official;
    if (gcd % official != 0) {
      headDim = 1;
      for (int h = 1; h <= Math.min(gcd, official); h++) {
        if (gcd % h == 0) {
          headDim = h;
        }
      }
    }
    HatNetConfig c;
    try {
      c = HatNetConfig.of(dims, headDim, expansions, grids, dsRatios, depths, kernels,
          (int) cls[0]);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int size = defaultSize(c);
    if (size == 0) {
      return Optional.empty();
    }
    List<Reason> why = new ArrayList<>();
    why.add(Reason.read("topology",
        "dims=" + Arrays.toString(dims) + ": dim 0 of 'patch_embed.3.weight' and"
        + " 'ds2..ds4.conv.weight'; depths=" + Arrays.toString(depths) + ": the block indices"
        + " 'blocks.<s>.<i>'"));
    why.add(Reason.read("expansions",
        "expansions=" + Arrays.toString(expansions) + ", kernel_sizes="
        + Arrays.toString(kernels) + ": 'blocks.<s>.0.conv.conv1.1.weight' rows / dim and"
        + " 'blocks.<s>.0.conv.conv2.0.weight'"
        + (assumed.isEmpty() ? "" : " (official values for " + assumed + ": no blocks)")));
    why.add(Reason.read("grid_sizes",
        "grid_sizes=" + Arrays.toString(grids) + ", ds_ratios=" + Arrays.toString(dsRatios)
        + ": windowed attention ('attn.grid_norm') in "
        + (windowed.isEmpty() ? "no stage" : windowed) + "; window and pooling sizes"
        + " are not stored: the official values (grids 8, 7, 7, 1; ds ratios 8, 4, 2, 1)"
        + (unofficialWindows ? "; stage 3's (7, 2) for a windowed stage that is global officially"
            : "")));
    why.add(Reason.assumed("head_dim",
        "head_dim=" + headDim + ": not stored (heads = dim / head_dim split the same"
        + " weights); " + (headDim == official
            ? "the official value (48 for dims[0] 48, else 64)"
            : "the official " + official + " does not divide every dim, so the largest divisor"
                + " of them up to " + official)));
    why.add(Reason.read(Reason.NUM_CLASSES,
        "num_classes=" + c.numClasses() + ": '" + CLASSIFIER_WEIGHT + "' is "
        + Checks.shape(cls)));
    why.add(Reason.assumed(Reason.INPUT_SIZE,
        "input " + size + "x" + size + ": " + (size == DEFAULT_SIZE
        ? "the official resolution" : "the first legal side from " + DEFAULT_SIZE)
        + " for these grids (legal sides " + HatNetGeometry.describeLegalSides(c) + ")"));
    return Optional.of(Detection.of(Arch.TRANSCNN, c, size, why));
  }

  /** 224 when legal, else the first legal side above it, else the smallest legal side; 0: none. */
  private static int defaultSize(HatNetConfig c) {
    for (long side = DEFAULT_SIZE; side <= HatNetGeometry.SCAN_LIMIT; side++) {
      if (HatNetGeometry.isLegalSide(c, side)) {
        return (int) side;
      }
    }
    List<long[]> r = HatNetGeometry.legalSideRanges(c, 1);
    return r.isEmpty() ? 0 : (int) r.get(0)[0];
  }
}
