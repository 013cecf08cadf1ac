package io.tfhybrid.arch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The variant registry: every official variant of every family, looked up by id, and every
 * family's configuration inference from a checkpoint's keys and torch shapes.
 */
public final class Models {
  private Models() {}

  private static final List<Variant<?>> ALL = Stream.<List<? extends Variant<?>>>of(
          // One line per family: its variant table.
          io.tfhybrid.arch.conv2former.Conv2FormerVariants.ALL,
          io.tfhybrid.arch.coatnet.CoAtNetVariants.ALL,
          io.tfhybrid.arch.coatnettimm.CoAtNetTimmVariants.ALL,
          io.tfhybrid.arch.contnet.ContNetVariants.ALL,
          io.tfhybrid.arch.transcnn.HatNetVariants.ALL,
          io.tfhybrid.arch.cvt.CvtVariants.ALL,
          List.<Variant<?>>of())
      .<Variant<?>>flatMap(List::stream)
      .toList();

  /** How a family reads its configuration off a checkpoint's keys and torch shapes. */
  private interface Reader
      extends Function<Map<String, long[]>, Optional<? extends Detection<?>>> {}

  private static final Map<Arch, Reader> INFERENCE = readers(
      // One line per family, next to its variant table above: its inference.
      Map.entry(Arch.CONV2FORMER, io.tfhybrid.arch.conv2former.Conv2FormerVariants::detect),
      Map.entry(Arch.COATNET, io.tfhybrid.arch.coatnet.CoAtNetVariants::detect),
      Map.entry(Arch.COATNET_TIMM, io.tfhybrid.arch.coatnettimm.CoAtNetTimmVariants::detect),
      Map.entry(Arch.CONTNET, io.tfhybrid.arch.contnet.ContNetVariants::detect),
      Map.entry(Arch.TRANSCNN, io.tfhybrid.arch.transcnn.HatNetVariants::detect),
      Map.entry(Arch.CVT, io.tfhybrid.arch.cvt.CvtVariants::detect));

  @SafeVarargs
  private static Map<Arch, Reader> readers(Map.Entry<Arch, Reader>... entries) {
    Map<Arch, Reader> m = new LinkedHashMap<>();
    for (Map.Entry<Arch, Reader> e : entries) {
      m.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(m);
  }

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

  /**
   * The configuration family {@code arch} reads off a checkpoint's keys and torch shapes, with
   * what it detected and why, when that configuration declares exactly these keys and shapes
   * (in any order); empty otherwise (another family, an unsupported release, a partial file).
   */
  public static Optional<Detection<?>> detect(Arch arch, Map<String, long[]> shapes) {
    Reader r = INFERENCE.get(arch);
    if (r == null) {
      return Optional.empty();
    }
    Optional<? extends Detection<?>> found = r.apply(shapes);
    if (found.isEmpty() || !declaresExactly(found.get().config(), shapes)) {
      return Optional.empty();
    }
    return Optional.of(found.get());
  }

  /**
   * Every family's inference that fits the checkpoint exactly (see {@link #detect(Arch, Map)}),
   * in registry order; empty when no family recognises it.
   */
  public static List<Detection<?>> detect(Map<String, long[]> shapes) {
    List<Detection<?>> out = new ArrayList<>();
    for (Arch a : INFERENCE.keySet()) {
      detect(a, shapes).ifPresent(out::add);
    }
    return out;
  }

  /** Whether {@code config}'s state_dict has exactly these keys with these torch shapes. */
  public static boolean declaresExactly(ModelConfig config, Map<String, long[]> shapes) {
    return config.createModule().declaresExactly(shapes);
  }

  /** Builds a variant at its default resolution. */
  public static BuiltModel build(String id) {
    return BuiltModel.build(variant(id));
  }
}
