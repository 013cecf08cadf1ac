package io.tfhybrid.arch;

import io.tfhybrid.nn.Checks;

/**
 * One official variant: an id ({@code <arch>_<size>_<resolution>}, lower snake case, a pretrained
 * weight tag after a dot as in timm: {@code coatnet_0_rw_224.sw_in1k}), its config
 * record, its default input size and its evaluation transform. A variant is data, not code.
 */
public record Variant<C extends ModelConfig>(Arch arch, String id, C config, int height, int width,
    Preprocessing preprocessing) {

  public Variant {
    Checks.checkArg(
        id.matches("[a-z0-9_]+(\\.[a-z0-9_]+)?"),
        "variant id '%s' must be lower snake case, with an optional '.tag' (timm's pretrained tag)",
        id);
    Checks.positive(height, "height");
    Checks.positive(width, "width");
  }

  public static <C extends ModelConfig> Variant<C> of(Arch arch, String id, C config, int size,
      Preprocessing preprocessing) {
    return new Variant<>(arch, id, config, size, size, preprocessing);
  }

  /** The same variant with another config (e.g. another class count). */
  public Variant<C> withConfig(C other) {
    return new Variant<>(arch, id, other, height, width, preprocessing);
  }

  @Override
  public String toString() {
    return id;
  }
}
