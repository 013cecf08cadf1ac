package io.tfhybrid.arch.contnet;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The official ConTNet variants (factories {@code create_ConTNet_{Ti,S,M,B}}), all with 4 stages,
 * head_num [1, 2, 4, 8], 1000 classes, the official flags ({@link ContNetFlags#OFFICIAL}) and
 * default input 224×224 (legal sides 224k−3 … 224k).
 */
public final class ContNetVariants {
  private ContNetVariants() {}

  /**
   * The repo's evaluation transform: bilinear resize of the shorter side to 256, center crop 224.
   */
  public static final Preprocessing EVAL =
      Preprocessing.resizeCrop(Preprocessing.Interpolation.BILINEAR, 256, 224);

  private static Variant<ContNetConfig> v(
      String id, int inplanes, List<Integer> layers, List<Integer> mlpDim) {
    return Variant.of(
        Arch.CONTNET, id, ContNetConfig.official(inplanes, layers, mlpDim), 224, EVAL);
  }

  // Parity quirk: Ti's MLP widths are 196 and 392 in stages 1-2 (not 4x48, 4x96); every variant
  // uses only 2x in stage 4.
  public static final Variant<ContNetConfig> TI =
      v("contnet_ti_224", 48, List.of(1, 1, 1, 1), List.of(196, 392, 768, 768));
  public static final Variant<ContNetConfig> S =
      v("contnet_s_224", 64, List.of(1, 1, 1, 1), List.of(256, 512, 1024, 1024));
  // Parity quirk: M and B build 19,536,936 and 36,043,112 parameters; the README's 19.2M and 39.6M
  // do not match the code, which is what a state_dict holds.
  public static final Variant<ContNetConfig> M =
      v("contnet_m_224", 64, List.of(2, 2, 2, 2), List.of(256, 512, 1024, 1024));
  public static final Variant<ContNetConfig> B =
      v("contnet_b_224", 64, List.of(3, 4, 6, 3), List.of(256, 512, 1024, 1024));

  public static final List<Variant<ContNetConfig>> ALL = List.of(TI, S, M, B);

  /**
   * What a ConTNet checkpoint's keys and shapes say (the family's entry point for {@code
   * Models.detect}): {@link ContNetConfig#fromCheckpoint} with {@code pre_norm=False}, the official
   * default, which no key or shape shows; the reasons say how to choose the other setting.
   */
  public static Optional<Detection<ContNetConfig>> detect(Map<String, long[]> shapes) {
    return ContNetConfig.fromCheckpoint(shapes, false)
        .map(
            inf ->
                new Detection<>(
                    inf.arch(),
                    inf.config(),
                    inf.height(),
                    inf.width(),
                    inf.reasons().stream()
                        .map(r -> r.isAbout(ContNetFlags.PRE_NORM) ? PRE_NORM_REASON : r)
                        .toList()));
  }

  /** Why an inferred ConTNet has {@code pre_norm=False}, and how to state the other setting. */
  static final Reason PRE_NORM_REASON =
      Reason.assumed(
          ContNetFlags.PRE_NORM,
          "pre_norm=False: not visible in a checkpoint (pre- and post-norm nets have the same keys"
              + " and shapes); False is the official default: for a net trained with"
              + " pre_norm=True pass --pre-norm (tfhybrid convert/verify) or use"
              + " ContNetConfig.withPreNorm(true)");
}
