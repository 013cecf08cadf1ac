package io.tfhybrid.interop.checkpoint;

/**
 * How much memory a read may spend on what a file <em>declares</em> rather than holds: the total
 * size of inflated (deflated) zip and {@code .npz} entries, the Java objects a pickle builds, the
 * parsed header of a {@code .safetensors} file and the datasets of an {@code .h5} file. Each is
 * bounded by {@code baseBytes + expansionRatio × (the bytes it comes from)}, so a small hostile file
 * (a zip bomb, 8 MB of pickle MEMOIZE opcodes) fails fast with a {@link CheckpointFormatException}
 * that names the limit, while real checkpoints stay far below it.
 *
 * <p>Defaults: 64 MiB plus 16 times the source. The system properties {@value #BASE_PROPERTY} (in
 * MiB) and {@value #RATIO_PROPERTY} override the defaults, e.g. {@code
 * JAVA_OPTS=-Dtfhybrid.read.expansionRatio=64} for the command line.
 *
 * @param baseBytes bytes always allowed, whatever the source's size
 * @param expansionRatio how many bytes each source byte may become
 */
public record ReadLimits(long baseBytes, int expansionRatio) {
  /** System property: {@link #baseBytes()} in MiB. */
  public static final String BASE_PROPERTY = "tfhybrid.read.baseMiB";

  /** System property: {@link #expansionRatio()}. */
  public static final String RATIO_PROPERTY = "tfhybrid.read.expansionRatio";

  public static final long DEFAULT_BASE_BYTES = 64L << 20;
  public static final int DEFAULT_EXPANSION_RATIO = 16;

  public ReadLimits {
    if (baseBytes < 0 || expansionRatio < 1) {
      throw new IllegalArgumentException(
          "ReadLimits needs baseBytes >= 0 and expansionRatio >= 1, found "
              + baseBytes
              + " and "
              + expansionRatio);
    }
  }

  /** The defaults, or the values of the system properties when set. */
  public static ReadLimits defaults() {
    long base = DEFAULT_BASE_BYTES;
    int ratio = DEFAULT_EXPANSION_RATIO;
    String b = System.getProperty(BASE_PROPERTY);
    String r = System.getProperty(RATIO_PROPERTY);
    try {
      if (b != null) {
        base = Math.multiplyExact(Long.parseLong(b.trim()), 1L << 20);
      }
      if (r != null) {
        ratio = Integer.parseInt(r.trim());
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "-D" + BASE_PROPERTY + " and -D" + RATIO_PROPERTY + " take whole numbers, found '"
              + b + "' and '" + r + "'", e);
    }
    return new ReadLimits(base, ratio);
  }

  public ReadLimits withBaseBytes(long value) {
    return new ReadLimits(value, expansionRatio);
  }

  public ReadLimits withExpansionRatio(int value) {
    return new ReadLimits(baseBytes, value);
  }

  /** The budget for data derived from {@code sourceBytes} bytes (saturating). */
  public long budget(long sourceBytes) {
    long scaled =
        sourceBytes > Long.MAX_VALUE / expansionRatio
            ? Long.MAX_VALUE
            : sourceBytes * expansionRatio;
    return scaled > Long.MAX_VALUE - baseBytes ? Long.MAX_VALUE : scaled + baseBytes;
  }

  /** {@code 64 MiB + 16 × 1,234 bytes = 64.0 MiB}, for messages. */
  String describe(long sourceBytes, String source) {
    return mib(baseBytes)
        + " + "
        + expansionRatio
        + " × "
        + source
        + " ("
        + sourceBytes
        + " bytes) = "
        + mib(budget(sourceBytes));
  }

  /** The sentence every limit error ends with. */
  static String howToRaise() {
    return "raise it with ReadOptions.withLimits(ReadLimits...) or, on the command line, JAVA_OPTS="
        + "\"-D"
        + RATIO_PROPERTY
        + "=<n> -D"
        + BASE_PROPERTY
        + "=<MiB>\" (defaults "
        + DEFAULT_EXPANSION_RATIO
        + " and "
        + (DEFAULT_BASE_BYTES >> 20)
        + ")";
  }

  static String mib(long bytes) {
    return bytes == Long.MAX_VALUE
        ? "unlimited"
        : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
