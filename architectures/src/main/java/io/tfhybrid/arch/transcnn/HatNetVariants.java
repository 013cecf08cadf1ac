package io.tfhybrid.arch.transcnn;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The official TransCNN / HAT-Net variants ({@code HAT_Net_tiny/small/medium/large} of
 * {@code HAT_Net.py}; checkpoints {@code HAT-Net_Tiny.pth} … of release v2.0 of yun-liu/HAT-Net),
 * ImageNet-1k at 224. Registry ids are {@code transcnn_<size>_224}; {@code hatnet_<size>_224}
 * finds the same entries through {@code Models.variant}, and {@link #byReferenceName} accepts
 * the reference's factory names.
 */
public final class HatNetVariants {
  private HatNetVariants() {}

  /** Evaluation transform (PVT/DeiT): bicubic resize of the shorter side to 256, crop 224. */
  public static final Preprocessing PREPROCESSING =
      Preprocessing.resizeCrop(Preprocessing.Interpolation.BICUBIC, 256, 224);

  // Parity quirk: ds_ratios (8, 4, 2, 1) are not the grid sizes (8, 7, 7, 1).
  private static final int[] GRID_SIZES = {8, 7, 7, 1};
  private static final int[] DS_RATIOS = {8, 4, 2, 1};
  private static final int[] EXPANSIONS = {8, 8, 4, 4};

  public static final HatNetConfig TINY = HatNetConfig.of(new int[] {48, 96, 240, 384}, 48,
      EXPANSIONS, GRID_SIZES, DS_RATIOS, new int[] {2, 2, 6, 3}, new int[] {3, 3, 3, 3}, 1000);
  public static final HatNetConfig SMALL = HatNetConfig.of(new int[] {64, 128, 320, 512}, 64,
      EXPANSIONS, GRID_SIZES, DS_RATIOS, new int[] {2, 3, 8, 3}, new int[] {3, 3, 3, 3}, 1000);
  public static final HatNetConfig MEDIUM = HatNetConfig.of(new int[] {64, 128, 320, 512}, 64,
      EXPANSIONS, GRID_SIZES, DS_RATIOS, new int[] {3, 6, 18, 3}, new int[] {5, 3, 5, 3}, 1000);
  public static final HatNetConfig LARGE = HatNetConfig.of(new int[] {64, 128, 320, 640}, 64,
      EXPANSIONS, GRID_SIZES, DS_RATIOS, new int[] {3, 8, 27, 3}, new int[] {3, 3, 3, 3}, 1000);

  public static final Variant<HatNetConfig> TRANSCNN_TINY_224 =
      Variant.of(Arch.TRANSCNN, "transcnn_tiny_224", TINY, 224, PREPROCESSING);
  public static final Variant<HatNetConfig> TRANSCNN_SMALL_224 =
      Variant.of(Arch.TRANSCNN, "transcnn_small_224", SMALL, 224, PREPROCESSING);
  public static final Variant<HatNetConfig> TRANSCNN_MEDIUM_224 =
      Variant.of(Arch.TRANSCNN, "transcnn_medium_224", MEDIUM, 224, PREPROCESSING);
  public static final Variant<HatNetConfig> TRANSCNN_LARGE_224 =
      Variant.of(Arch.TRANSCNN, "transcnn_large_224", LARGE, 224, PREPROCESSING);

  public static final List<Variant<HatNetConfig>> ALL =
      List.of(TRANSCNN_TINY_224, TRANSCNN_SMALL_224, TRANSCNN_MEDIUM_224, TRANSCNN_LARGE_224);

  /** The reference's factory names ({@code HAT_Net_tiny} …) for the registry entries. */
  public static final Map<String, Variant<HatNetConfig>> REFERENCE_NAMES = referenceNames();

  /** Checkpoint file names of release v2.0, by registry entry. */
  static final Map<String, String> CHECKPOINT_FILES = Map.of(
      "transcnn_tiny_224", "HAT-Net_Tiny.pth",
      "transcnn_small_224", "HAT-Net_Small.pth",
      "transcnn_medium_224", "HAT-Net_Medium.pth",
      "transcnn_large_224", "HAT-Net_Large.pth");

  private static Map<String, Variant<HatNetConfig>> referenceNames() {
    Map<String, Variant<HatNetConfig>> m = new LinkedHashMap<>();
    m.put("HAT_Net_tiny", TRANSCNN_TINY_224);
    m.put("HAT_Net_small", TRANSCNN_SMALL_224);
    m.put("HAT_Net_medium", TRANSCNN_MEDIUM_224);
    m.put("HAT_Net_large", TRANSCNN_LARGE_224);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Looks up a reference factory name such as {@code HAT_Net_small} (case-insensitive). */
  public static Variant<HatNetConfig> byReferenceName(String name) {
    for (Map.Entry<String, Variant<HatNetConfig>> e : REFERENCE_NAMES.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    throw new IllegalArgumentException("unknown HAT-Net factory name '" + name + "'; known: "
        + REFERENCE_NAMES.keySet());
  }

  /**
   * What a HAT-Net checkpoint's keys and shapes say (the family's entry point for {@code
   * Models.detect}): dims, depths, expansions, kernel sizes, which stages use windowed attention
   * and the class count; the grid sizes, ds ratios and head_dim that no key shows take the
   * official values. Input 224×224 when legal for those grids. Empty for keys that are no HAT-Net
   * state_dict, and for a checkpoint of the withdrawn TransCNN v1 release, which the loader
   * rejects with its verdict ("TransCNN v1 checkpoint: not supported, use the HAT-Net release").
   */
  public static Optional<Detection<HatNetConfig>> detect(Map<String, long[]> shapes) {
    return HatNetDiagnosis.detect(shapes);
  }
}
