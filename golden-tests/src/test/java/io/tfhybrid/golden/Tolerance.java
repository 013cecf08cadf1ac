package io.tfhybrid.golden;

/**
 * The one parity tolerance: per tensor, max |java − reference| ≤ 1e-4 · max(1, max|reference|).
 * There are no per-architecture overrides: a larger error is a bug to find.
 */
public record Tolerance(double relative) {
  public static final Tolerance FP32 = new Tolerance(1e-4);

  /** The allowed max |Δ| for a reference tensor whose largest magnitude is {@code maxAbsRef}. */
  public double bound(double maxAbsRef) {
    return relative * Math.max(1.0, maxAbsRef);
  }
}
