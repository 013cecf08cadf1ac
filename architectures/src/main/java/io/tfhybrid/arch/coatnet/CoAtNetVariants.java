package io.tfhybrid.arch.coatnet;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import java.util.List;

/**
 * The five official CoAtNet variants of chinhsuanwu/coatnet-pytorch ({@code coatnet_0()} ..
 * {@code coatnet_4()}): 224×224, 1000 classes, layout C-C-T-T.
 *
 * <p>Preprocessing: the reference publishes no weights and no evaluation transform, so these
 * variants use the ImageNet convention — resize the shorter side to 256 (bilinear), center-crop
 * 224, ImageNet mean/std. This is our choice, not the reference's; a checkpoint trained with
 * another transform should be fed accordingly.
 */
public final class CoAtNetVariants {
  private CoAtNetVariants() {}

  /** ImageNet convention (our choice: the reference defines none). */
  public static final Preprocessing PREPROCESSING =
      Preprocessing.resizeCrop(Preprocessing.Interpolation.BILINEAR, 256, 224);

  public static final Variant<CoAtNetConfig> COATNET_0_224 = variant("coatnet_0_224",
      List.of(2, 2, 3, 5, 2), List.of(64, 96, 192, 384, 768));
  public static final Variant<CoAtNetConfig> COATNET_1_224 = variant("coatnet_1_224",
      List.of(2, 2, 6, 14, 2), List.of(64, 96, 192, 384, 768));
  // Parity quirk: coatnet_2's last width is 1026 (not 1024), as the reference defines it.
  public static final Variant<CoAtNetConfig> COATNET_2_224 = variant("coatnet_2_224",
      List.of(2, 2, 6, 14, 2), List.of(128, 128, 256, 512, 1026));
  public static final Variant<CoAtNetConfig> COATNET_3_224 = variant("coatnet_3_224",
      List.of(2, 2, 6, 14, 2), List.of(192, 192, 384, 768, 1536));
  public static final Variant<CoAtNetConfig> COATNET_4_224 = variant("coatnet_4_224",
      List.of(2, 2, 12, 28, 2), List.of(192, 192, 384, 768, 1536));

  public static final List<Variant<CoAtNetConfig>> ALL =
      List.of(COATNET_0_224, COATNET_1_224, COATNET_2_224, COATNET_3_224, COATNET_4_224);

  private static Variant<CoAtNetConfig> variant(String id, List<Integer> numBlocks,
      List<Integer> channels) {
    return Variant.of(Arch.COATNET, id, CoAtNetConfig.of(224, numBlocks, channels, 1000), 224,
        PREPROCESSING);
  }
}
