package io.tfhybrid.cli;

import java.util.Locale;

/** How the commands print numbers and parse sizes. */
final class Format {
  private Format() {}

  /** {@code 14.99M}, {@code 126.0k}, {@code 512}. */
  static String params(long n) {
    return n >= 1_000_000
        ? String.format("%.2fM", n / 1e6)
        : n >= 1000 ? String.format("%.1fk", n / 1e3) : Long.toString(n);
  }

  static String megabytes(long bytes) {
    return String.format("%.1f MB", bytes / 1e6);
  }

  /** "H" or "HxW" → {H, W}. */
  static int[] size(String s) {
    String[] parts = s.toLowerCase(Locale.ROOT).split("x");
    try {
      if (parts.length == 1) {
        int v = Integer.parseInt(parts[0].strip());
        return new int[] {v, v};
      }
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new CliError(
        "--size '" + s + "'", "H or HxW in pixels (224, 384x384)", "'" + s + "'", null);
  }
}
