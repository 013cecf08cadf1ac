package io.tfhybrid.interop.verify;

import io.tfhybrid.interop.TfHybridException;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.util.Arrays;

/**
 * The measured error of one output against its reference.
 *
 * @param name the output ({@code logits}, {@code feature.<module path>})
 * @param shape the reference's shape
 * @param maxAbsDiff max |ours − reference| (infinite when a value is NaN)
 * @param bound the tolerance's bound for this reference
 */
public record TensorError(String name, long[] shape, double maxAbsDiff, double bound) {

  public TensorError {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Whether the error is within the bound. */
  public boolean ok() {
    return maxAbsDiff <= bound;
  }

  /**
   * Compares an output with its reference. A 4-d output in NHWC whose reference is the same map in
   * NCHW (as PyTorch records it) is compared in the reference's layout; otherwise the element
   * counts must agree.
   *
   * @throws TfHybridException when the shapes cannot be the same tensor
   */
  public static TensorError measure(
      String name, HostTensor reference, HostTensor ours, Tolerance tolerance) {
    float[] r = reference.toFloatArray();
    float[] f = ours.toFloatArray();
    long[] rs = reference.shape();
    long[] os = ours.shape();
    if (rs.length == 4
        && os.length == 4
        && !Arrays.equals(rs, os)
        && rs[1] == os[3]
        && rs[2] == os[1]
        && rs[3] == os[2]) {
      f = Layouts.nhwcToNchw(f, os);
    } else if (r.length != f.length) {
      throw new TfHybridException(
          "'" + name + "'",
          "reference shape " + Checks.shape(rs) + " to fit the model's output",
          "output shape " + Checks.shape(os),
          "is the input the matching batch?");
    }
    return new TensorError(name, rs, maxAbsDiff(r, f), tolerance.bound(r));
  }

  /** Largest |a − b| over the flattened tensors (equal lengths required; NaN counts as ∞). */
  public static double maxAbsDiff(float[] expected, float[] found) {
    int at = argMaxAbsDiff(expected, found);
    return at < 0 ? 0 : absDiff(expected[at], found[at]);
  }

  /**
   * Index of the largest |a − b| (the first one where several tie; NaN counts as ∞), or −1 for
   * empty tensors. Equal lengths required.
   */
  public static int argMaxAbsDiff(float[] expected, float[] found) {
    Checks.checkArg(
        expected.length == found.length,
        "expected %s values, found %s",
        expected.length,
        found.length);
    int at = -1;
    double max = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = absDiff(expected[i], found[i]);
      if (d > max) {
        max = d;
        at = i;
      }
    }
    return at;
  }

  /** |expected − found| in double precision; NaN counts as ∞. */
  public static double absDiff(float expected, float found) {
    double d = Math.abs((double) expected - found);
    return Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
  }
}
