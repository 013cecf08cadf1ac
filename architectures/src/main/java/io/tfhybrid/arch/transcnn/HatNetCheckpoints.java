package io.tfhybrid.arch.transcnn;

import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.ParamSpec;
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
final class HatNetCheckpoints {
  private HatNetCheckpoints() {}

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
        m.put(v.id(), shapesOf(v.config()));
      }
      return m;
    }
  }

  static Map<String, long[]> shapesOf(HatNetConfig config) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (ParamSpec p : config.createModule().stateDictSpec()) {
      m.put(p.key(), p.torchShape());
    }
    return m;
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
    Map<String, long[]> ownShapes = shapesOf(own);
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
}
