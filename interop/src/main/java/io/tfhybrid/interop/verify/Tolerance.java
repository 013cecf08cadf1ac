package io.tfhybrid.interop.verify;

/**
 * The parity tolerance: per tensor, max |ours − reference| ≤ {@code relative} · max(1,
 * max|reference|). {@link #DEFAULT} is the project's one tolerance, used by the golden tests,
 * {@code tfhybrid verify} and {@code tfhybrid quickstart}; there are no per-architecture overrides.
 *
 * @param relative the factor on max(1, max|reference|), e.g. 1e-4
 */
public record Tolerance(double relative) {

  /** 1e-4 · max(1, max|reference|): float32 parity with the PyTorch reference. */
  public static final Tolerance DEFAULT = new Tolerance(1e-4);

  public Tolerance {
    if (!(relative > 0) || Double.isInfinite(relative)) {
      throw new IllegalArgumentException(
          "tolerance: expected a positive finite factor, found " + relative);
    }
  }

  /** The allowed max |Δ| for a reference tensor whose largest magnitude is {@code maxAbsRef}. */
  public double bound(double maxAbsRef) {
    return relative * Math.max(1.0, maxAbsRef);
  }

  /** The allowed max |Δ| for {@code reference}. */
  public double bound(float[] reference) {
    return bound(maxAbs(reference));
  }

  /** The largest |value| of {@code reference} (0 when empty). */
  public static double maxAbs(float[] reference) {
    double m = 0;
    for (float f : reference) {
      m = Math.max(m, Math.abs(f));
    }
    return m;
  }

  /** {@code "1e-04 · max(1, max |reference|)"}. */
  public String describe() {
    return String.format("%.0e · max(1, max |reference|)", relative);
  }

  @Override
  public String toString() {
    return describe();
  }
}
