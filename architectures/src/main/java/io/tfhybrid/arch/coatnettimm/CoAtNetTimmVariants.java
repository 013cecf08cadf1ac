package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.StrideMode;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.Norm;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.RelPos;
import io.tfhybrid.ops.Activations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * timm's 11 pretrained CoAtNet architectures and their 15 pretrained tags (spec §1, §2). Ids are
 * timm's names: {@code coatnet_0_rw_224} is the architecture as {@code
 * timm.create_model('coatnet_0_rw_224')} builds it (its first-registered tag's class count: 11821
 * for {@code coatnet_3_rw_224}), {@code coatnet_0_rw_224.sw_in1k} a pretrained tag with its own
 * class count and evaluation transform ({@code pretrained_cfg}).
 */
public final class CoAtNetTimmVariants {
  private CoAtNetTimmVariants() {}

  /** ImageNet-1k classes. */
  public static final int IN1K = 1000;
  /** ImageNet-12k classes of the {@code sw_in12k} pre-training heads. */
  public static final int IN12K = 11821;

  private static final List<Float> HALF = List.of(0.5f, 0.5f, 0.5f);

  // Switch sets of spec §2 (names as timm's *_cfg functions).
  private static final CoAtNetTimmConvConfig CONV_NANO =
      new CoAtNetTimmConvConfig(
          StrideMode.POOL, PoolType.AVG2, false, true, false, Activations.Kind.SILU);
  private static final CoAtNetTimmConvConfig CONV_0 =
      new CoAtNetTimmConvConfig(
          StrideMode.POOL, PoolType.AVG2, true, false, true, Activations.Kind.RELU);
  private static final CoAtNetTimmConvConfig CONV_1 =
      new CoAtNetTimmConvConfig(
          StrideMode.DW, PoolType.AVG2, true, false, true, Activations.Kind.RELU);
  private static final CoAtNetTimmConvConfig CONV_2 =
      new CoAtNetTimmConvConfig(
          StrideMode.DW, PoolType.AVG2, true, false, false, Activations.Kind.SILU);

  private static CoAtNetTimmTransformerConfig transformer(
      PoolType pool, boolean shortcutBias, Norm norm, RelPos relPos, int dim, boolean ls) {
    return new CoAtNetTimmTransformerConfig(pool, shortcutBias, norm, relPos, dim, ls);
  }

  /** Every pretrained architecture by timm name, at its pretrained size and default classes. */
  private static final Map<String, CoAtNetTimmConfig> ARCHITECTURES = new LinkedHashMap<>();

  static {
    List<Integer> nanoDims = List.of(64, 128, 256, 512);
    List<Integer> dims0 = List.of(96, 192, 384, 768);
    List<Integer> dims2 = List.of(128, 256, 512, 1024);
    List<Integer> deep = List.of(2, 6, 14, 2);
    List<Integer> stem32 = List.of(32, 64);
    List<Integer> stem64 = List.of(64, 128);
    CoAtNetTimmTransformerConfig lnTable = transformer(PoolType.AVG2, false, Norm.LAYER_NORM,
        RelPos.TABLE, 512, false);
    arch("coatnet_nano_rw_224", stem32, nanoDims, List.of(3, 4, 6, 3), CONV_NANO,
        transformer(PoolType.AVG2, true, Norm.LAYER_NORM, RelPos.TABLE, 512, false), 224, IN1K);
    arch("coatnet_rmlp_nano_rw_224", stem32, nanoDims, List.of(3, 4, 6, 3),
        new CoAtNetTimmConvConfig(StrideMode.DW, PoolType.AVG2, false, true, false,
            Activations.Kind.SILU),
        transformer(PoolType.AVG2, true, Norm.LAYER_NORM, RelPos.MLP, 384, false), 224, IN1K);
    arch("coatnet_0_rw_224", stem32, dims0, List.of(2, 3, 7, 2), CONV_0, lnTable, 224, IN1K);
    arch("coatnet_bn_0_rw_224", stem32, dims0, List.of(2, 3, 7, 2), CONV_1,
        transformer(PoolType.AVG2, false, Norm.BATCH_NORM, RelPos.TABLE, 512, false), 224, IN1K);
    arch("coatnet_1_rw_224", stem32, dims0, deep, CONV_1, lnTable, 224, IN1K);
    // Parity quirk: coatnet_rmlp_1_rw_224 mixes pools: max 3x3/s2/p1 in every shortcut and in the
    // transformer downsampling, avg2 for the MBConv 'down'.
    arch("coatnet_rmlp_1_rw_224", stem32, dims0, deep,
        new CoAtNetTimmConvConfig(StrideMode.POOL, PoolType.MAX, true, false, true,
            Activations.Kind.RELU),
        transformer(PoolType.MAX, false, Norm.LAYER_NORM, RelPos.MLP, 384, false), 224, IN1K);
    arch("coatnet_rmlp_1_rw2_224", stem32, dims0, deep,
        new CoAtNetTimmConvConfig(StrideMode.DW, PoolType.AVG2, true, false, false,
            Activations.Kind.RELU),
        transformer(PoolType.AVG2, true, Norm.LAYER_NORM, RelPos.MLP, 512, false), 224, IN1K);
    arch("coatnet_2_rw_224", stem64, dims2, deep, CONV_2,
        transformer(PoolType.AVG2, true, Norm.LAYER_NORM, RelPos.TABLE, 512, false), 224, IN1K);
    CoAtNetTimmTransformerConfig rmlp2 =
        transformer(PoolType.AVG2, true, Norm.LAYER_NORM, RelPos.MLP, 512, true);
    arch("coatnet_rmlp_2_rw_224", stem64, dims2, deep, CONV_2, rmlp2, 224, IN1K);
    arch("coatnet_rmlp_2_rw_384", stem64, dims2, deep, CONV_2, rmlp2, 384, IN1K);
    // Parity quirk: the default class count follows the default (first-registered) tag, and
    // coatnet_3_rw_224's only tag is the 11821-class ImageNet-12k head.
    arch("coatnet_3_rw_224", List.of(96, 192), List.of(192, 384, 768, 1536), deep, CONV_2,
        transformer(PoolType.AVG2, true, Norm.LAYER_NORM, RelPos.TABLE, 512, true), 224, IN12K);
  }

  private static void arch(String name, List<Integer> stem, List<Integer> dims,
      List<Integer> depths, CoAtNetTimmConvConfig conv, CoAtNetTimmTransformerConfig t, int size,
      int classes) {
    ARCHITECTURES.put(
        name, new CoAtNetTimmConfig(dims, depths, stem, conv, t, classes, size, size));
  }

  /** timm's eval transform: bicubic, crop_pct, crop mode, mean/std (spec §12). */
  static Preprocessing transform(String architecture) {
    boolean nano = architecture.contains("nano");
    boolean squash = architecture.endsWith("_384");
    int size = ARCHITECTURES.get(architecture).height();
    boolean imagenet = architecture.equals("coatnet_bn_0_rw_224");
    return Preprocessing.timm(
        Interpolation.BICUBIC,
        squash ? CropMode.SQUASH : CropMode.CENTER,
        squash ? 1.0 : nano ? 0.9 : 0.95,
        size,
        size,
        imagenet ? Preprocessing.IMAGENET_MEAN : HALF,
        imagenet ? Preprocessing.IMAGENET_STD : HALF);
  }

  /** The architectures, untagged, in timm's order of spec §1. */
  public static final List<Variant<CoAtNetTimmConfig>> ARCHITECTURE_VARIANTS;

  /** The 15 pretrained tags ({@code <architecture>.<tag>}). */
  public static final List<Variant<CoAtNetTimmConfig>> TAGS;

  /** Architectures then tags. */
  public static final List<Variant<CoAtNetTimmConfig>> ALL;

  static {
    List<Variant<CoAtNetTimmConfig>> archs = new ArrayList<>();
    ARCHITECTURES.forEach(
        (name, config) ->
            archs.add(
                new Variant<>(Arch.COATNET_TIMM, name, config, config.height(), config.width(),
                    transform(name))));
    ARCHITECTURE_VARIANTS = List.copyOf(archs);
    TAGS =
        List.of(
            tag("coatnet_nano_rw_224", "sw_in1k", IN1K),
            tag("coatnet_rmlp_nano_rw_224", "sw_in1k", IN1K),
            tag("coatnet_0_rw_224", "sw_in1k", IN1K),
            tag("coatnet_bn_0_rw_224", "sw_in1k", IN1K),
            tag("coatnet_1_rw_224", "sw_in1k", IN1K),
            tag("coatnet_rmlp_1_rw_224", "sw_in1k", IN1K),
            tag("coatnet_rmlp_1_rw2_224", "sw_in12k_ft_in1k", IN1K),
            tag("coatnet_rmlp_1_rw2_224", "sw_in12k", IN12K),
            tag("coatnet_2_rw_224", "sw_in12k_ft_in1k", IN1K),
            tag("coatnet_2_rw_224", "sw_in12k", IN12K),
            tag("coatnet_rmlp_2_rw_224", "sw_in1k", IN1K),
            tag("coatnet_rmlp_2_rw_224", "sw_in12k_ft_in1k", IN1K),
            tag("coatnet_rmlp_2_rw_224", "sw_in12k", IN12K),
            tag("coatnet_rmlp_2_rw_384", "sw_in12k_ft_in1k", IN1K),
            tag("coatnet_3_rw_224", "sw_in12k", IN12K));
    List<Variant<CoAtNetTimmConfig>> all = new ArrayList<>(ARCHITECTURE_VARIANTS);
    all.addAll(TAGS);
    ALL = List.copyOf(all);
  }

  private static Variant<CoAtNetTimmConfig> tag(String architecture, String tag, int classes) {
    CoAtNetTimmConfig c = ARCHITECTURES.get(architecture).withNumClasses(classes);
    return new Variant<>(Arch.COATNET_TIMM, architecture + "." + tag, c, c.height(), c.width(),
        transform(architecture));
  }

  /** timm's architecture names, in registry order. */
  public static List<String> architectureNames() {
    return List.copyOf(ARCHITECTURES.keySet());
  }

  /**
   * The architecture {@code name} (timm's, optionally with a {@code .tag}, which is ignored) as
   * timm builds it by default; an unknown name lists the known ones.
   */
  public static Variant<CoAtNetTimmConfig> architecture(String name) {
    String bare = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
    for (Variant<CoAtNetTimmConfig> v : ARCHITECTURE_VARIANTS) {
      if (v.id().equals(bare)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "'" + name + "' is no pretrained timm CoAtNet architecture; known: "
            + architectureNames()
            + (bare.startsWith("coatnext") ? " (coatnext_* uses ConvNeXt blocks: not supported)"
                : ""));
  }

  /**
   * What a timm CoAtNet checkpoint's keys and shapes say ({@code Models.detect}'s entry): the
   * architecture whose weight signature (spec §10.4) it has, or the visible switches with the
   * invisible ones (stride mode, pools, pre-norm act, SE act) taken from the nearest architecture;
   * the reasons say what was assumed and how to override it.
   */
  public static Optional<Detection<CoAtNetTimmConfig>> detect(Map<String, long[]> shapes) {
    return CoAtNetTimmDiagnosis.detect(shapes);
  }
}
