package io.tfhybrid.arch;

import java.util.List;
import java.util.Locale;

/** The model families. {@link #id} is the lower-case id used in variant ids and fixture folders. */
public enum Arch {
  CONTNET("contnet", "ConTNet", List.of()),
  CONV2FORMER("conv2former", "Conv2Former", List.of()),
  CVT("cvt", "CvT", List.of()),
  COATNET("coatnet", "CoAtNet", List.of()),
  /** timm's CoAtNets ({@code timm/models/maxxvit.py}): the ones with published ImageNet weights. */
  COATNET_TIMM("coatnet_timm", "CoAtNet (timm)", List.of("timm_coatnet", "coatnet-timm")),
  /** TransCNN, whose official code is now named HAT-Net: both names find it. */
  TRANSCNN("transcnn", "TransCNN (HAT-Net)", List.of("hatnet", "hat-net", "hat_net"));

  private final String id;
  private final String displayName;
  private final List<String> aliases;

  Arch(String id, String displayName, List<String> aliases) {
    this.id = id;
    this.displayName = displayName;
    this.aliases = aliases;
  }

  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  public List<String> aliases() {
    return aliases;
  }

  /** Finds a family by id or alias, case-insensitively; unknown names list the known ones. */
  public static Arch of(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Arch a : values()) {
      if (a.id.equals(n) || a.aliases.contains(n)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + name + "'; known: "
        + java.util.Arrays.stream(values()).map(Arch::id).toList() + " (TransCNN also as hatnet)");
  }
}
