package io.tfhybrid.arch.coatnet;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

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

  /** The official build size, used when no Transformer stage fixes it. */
  static final int DEFAULT_SIZE = 224;

  /**
   * What a CoAtNet checkpoint's keys and shapes say (the family's entry point for {@code
   * Models.detect}): num_blocks from the block indices, channels from the stem and the {@code
   * proj} convs, block types from the keys of each stage's first block, the class count from
   * {@code fc.weight}, and the build size from the rows of the relative-position bias tables
   * ((2·h−1)² rows for the h×h grid of stage s at size h·2^(s+1)); 224 when no stage is a
   * Transformer. The model runs only at that size. Empty when the keys are not a CoAtNet
   * state_dict or the tables fit no common size.
   */
  public static Optional<Detection<CoAtNetConfig>> detect(Map<String, long[]> shapes) {
    List<Reason> why = new ArrayList<>();
    List<CoAtNetDiagnosis.Table> tables = CoAtNetDiagnosis.tables(shapes);
    TreeSet<Integer> sizes = new TreeSet<>();
    tables.forEach(t -> sizes.add(t.imageSize()));
    int size;
    if (tables.isEmpty()) {
      size = DEFAULT_SIZE;
    } else if (sizes.size() == 1 && sizes.first() > 0) {
      size = sizes.first();
      CoAtNetDiagnosis.Table t = tables.get(0);
      why.add(Reason.read("image_size", String.format(
          "image_size=%d: '%s' is %s, (2*%d-1)^2 rows for the %dx%d token grid of s%d at %d (all"
              + " %d relative-position tables agree); a CoAtNet runs only at its build size",
          size, t.key(), Checks.shape(t.shape()), t.side(), t.side(), t.side(), t.stage(), size,
          tables.size())));
    } else {
      return Optional.empty();
    }
    Optional<CoAtNetConfig> found = CoAtNetDiagnosis.detect(shapes, size);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    CoAtNetConfig c = found.get();
    if (tables.isEmpty()) {
      why.add(Reason.assumed("image_size",
          "image_size=" + size + ": the official size; no stage is a Transformer, so no"
          + " relative-position table fixes it (a CoAtNet runs only at its build size: build"
          + " another with CoAtNetConfig.withImageSize)"));
    }
    why.add(0, Reason.read("topology",
        "num_blocks=" + c.numBlocks() + ", channels=" + c.channels() + ": the block"
        + " indices 's<k>.<i>' and dim 0 of 's0.0.0.weight' and 's<k>.0.proj.weight'"));
    why.add(1, Reason.read("block_types",
        "block_types=" + CoAtNetBlockType.describe(c.blockTypes()) + ": 's<k>.0.attn.1"
        + ".fn.to_qkv.weight' (Transformer, 'T') or 's<k>.0.conv.norm.weight' (MBConv, 'C')"));
    why.add(Reason.read(Reason.NUM_CLASSES, "num_classes=" + c.numClasses() + ": 'fc.weight' is "
        + Checks.shape(shapes.get("fc.weight"))));
    return Optional.of(Detection.of(Arch.COATNET, c, size, why));
  }
}
