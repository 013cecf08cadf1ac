package io.tfhybrid.arch.coatnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The block type of a CoAtNet stage s1..s4: the reference's {@code block_types} letters
 * ({@code ['C', 'C', 'T', 'T']} for the official variants).
 */
public enum CoAtNetBlockType {
  /** {@code 'C'}: MBConv (pre-norm BatchNorm, expansion 4, SE, GELU). */
  MBCONV('C'),
  /** {@code 'T'}: Transformer with relative-position bias (pre-norm LayerNorm, 8 heads × 32). */
  TRANSFORMER('T');

  private final char letter;

  CoAtNetBlockType(char letter) {
    this.letter = letter;
  }

  /** The reference's letter, {@code 'C'} or {@code 'T'}. */
  public char letter() {
    return letter;
  }

  /** The type for a reference letter ({@code "C"} or {@code "T"}, case-insensitive). */
  public static CoAtNetBlockType of(String letter) {
    String s = letter == null ? "" : letter.trim().toUpperCase(Locale.ROOT);
    for (CoAtNetBlockType t : values()) {
      if (s.length() == 1 && s.charAt(0) == t.letter) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown CoAtNet block type '" + letter
        + "': expected 'C' (MBConv) or 'T' (Transformer)");
  }

  /** Parses a layout such as {@code "C-C-T-T"} (separators '-', ',' or none: {@code "CCTT"}). */
  public static List<CoAtNetBlockType> layout(String layout) {
    List<CoAtNetBlockType> out = new ArrayList<>();
    for (char c : layout.replaceAll("[\\s,\\-]", "").toCharArray()) {
      out.add(of(String.valueOf(c)));
    }
    return out;
  }

  /** {@code "C-C-T-T"} for a list of types. */
  public static String describe(List<CoAtNetBlockType> types) {
    StringBuilder sb = new StringBuilder();
    for (CoAtNetBlockType t : types) {
      if (sb.length() > 0) {
        sb.append('-');
      }
      sb.append(t.letter);
    }
    return sb.toString();
  }
}
