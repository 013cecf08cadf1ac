package io.tfhybrid.arch;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The variant registry: every official variant of every family, looked up by id. */
public final class Models {
  private Models() {}

  private static final List<Variant<?>> ALL = Stream.<List<? extends Variant<?>>>of(
          // One line per family: its variant table.
          io.tfhybrid.arch.conv2former.Conv2FormerVariants.ALL,
          io.tfhybrid.arch.coatnet.CoAtNetVariants.ALL,
          io.tfhybrid.arch.contnet.ContNetVariants.ALL,
          io.tfhybrid.arch.transcnn.HatNetVariants.ALL,
          io.tfhybrid.arch.cvt.CvtVariants.ALL,
          List.<Variant<?>>of())
      .<Variant<?>>flatMap(List::stream)
      .toList();

  /** Every registered variant, family by family. */
  public static List<Variant<?>> all() {
    return ALL;
  }

  /** Variants of one family. */
  public static List<Variant<?>> of(Arch arch) {
    return ALL.stream().filter(v -> v.arch() == arch).toList();
  }

  /**
   * Looks a variant up by id; a family alias may replace the family prefix
   * ({@code hatnet_tiny_224} finds {@code transcnn_tiny_224}). An unknown id lists all known ids.
   */
  public static Variant<?> variant(String id) {
    String n = id.toLowerCase(Locale.ROOT).replace('-', '_');
    for (Arch a : Arch.values()) {
      for (String alias : a.aliases()) {
        String prefix = alias.replace('-', '_') + "_";
        if (n.startsWith(prefix)) {
          n = a.id() + "_" + n.substring(prefix.length());
        }
      }
    }
    for (Variant<?> v : ALL) {
      if (v.id().equals(n)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown variant '" + id + "'; known: "
        + ALL.stream().map(Variant::id).toList());
  }

  /** Builds a variant at its default resolution. */
  public static BuiltModel build(String id) {
    return BuiltModel.build(variant(id));
  }
}
