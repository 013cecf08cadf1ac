package io.tfhybrid.golden;

import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.interop.verify.TensorError;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compares a model's outputs with a golden case, in forward order. Our graph produces NHWC maps
 * and {@code [B, N, C]} tokens; reference maps are NCHW, so they are converted at this edge only.
 * Every tensor's measured error is printed; a failure names the first divergent capture.
 */
public final class GoldenAssert {
  private GoldenAssert() {}

  /** The measured error of one tensor. */
  public record Measured(String output, double maxAbsDiff, double bound, double maxAbsRef,
      long[] index, float expected, float found) {
    boolean ok() {
      return maxAbsDiff <= bound;
    }
  }

  /** Runs {@code model} on the case input and checks logits and every captured feature. */
  public static List<Measured> inForwardOrder(GoldenCase c, String label, BuiltModel model,
      Tolerance tol) {
    List<GoldenFixture.Output> expected = c.expected();
    HostTensor inNhwc = c.inputNhwc();
    List<String> fetch = expected.stream()
        .map(e -> e.isLogits() ? BuiltModel.LOGITS : e.captureName()).toList();
    List<String> unknown = fetch.stream().filter(f -> !model.outputs().containsKey(f)).toList();
    if (!unknown.isEmpty()) {
      throw new AssertionError(c + ": the model records no output for captures " + unknown
          + " (recorded: " + model.outputs().keySet() + ")");
    }
    Map<String, HostTensor> got = model.run(inNhwc, fetch);

    List<Measured> results = new ArrayList<>();
    String lastOk = "(none)";
    for (int i = 0; i < expected.size(); i++) {
      GoldenFixture.Output e = expected.get(i);
      HostTensor ref = c.tensor(e);
      Measured m = measure(c, e, ref, got.get(fetch.get(i)), tol);
      results.add(m);
      System.out.printf("[%s %s] %-48s max|Δ| %.3e  bound %.3e  %s%n", c, label, e.name(),
          m.maxAbsDiff(), m.bound(), m.ok() ? "ok" : "FAIL");
      if (!m.ok()) {
        throw new AssertionError(String.format(
            "%s (%s): first divergent capture in forward order is '%s': max |java - reference| = %.3e"
                + " > %.3e (= %.0e * max(1, %.4f)) at index %s: expected %.7g, found %.7g;"
                + " last capture that matched: %s",
            c, label, e.name(), m.maxAbsDiff(), m.bound(), tol.relative(), m.maxAbsRef(),
            Checks.shape(m.index()), m.expected(), m.found(), lastOk));
      }
      lastOk = e.name();
    }
    return results;
  }

  static Measured measure(GoldenCase c, GoldenFixture.Output e, HostTensor ref, HostTensor ours,
      Tolerance tol) {
    float[] r = ref.toFloatArray();
    long[] refShape = ref.shape();
    float[] o = ours.toFloatArray();
    long[] oursShape = ours.shape();
    if (e.layout().equals("NCHW")) {
      if (oursShape.length != 4) {
        throw new AssertionError(c + ": '" + e.name() + "' is NCHW " + Checks.shape(refShape)
            + " in the reference, but our capture has shape " + Checks.shape(oursShape));
      }
      o = Layouts.nhwcToNchw(o, oursShape);
      oursShape = new long[] {oursShape[0], oursShape[3], oursShape[1], oursShape[2]};
    }
    if (e.layout().equals("raw")) {
      // CvT's batch-1 quirk: the reference squeezes [1, N] to [N]; compare element by element.
      if (r.length != o.length) {
        throw new AssertionError(c + ": '" + e.name() + "' has " + r.length
            + " reference values, ours " + Checks.shape(oursShape));
      }
      oursShape = refShape;
    } else if (!Arrays.equals(refShape, oursShape)) {
      throw new AssertionError(c + ": '" + e.name() + "' shape: expected "
          + Checks.shape(refShape) + " (" + e.layout() + "), found " + Checks.shape(oursShape));
    }
    int at = TensorError.argMaxAbsDiff(r, o);
    double maxRef = Tolerance.maxAbs(r);
    return new Measured(e.name(), TensorError.absDiff(r[at], o[at]), tol.bound(maxRef), maxRef,
        unravel(at, refShape),
        r[at], o[at]);
  }

  static long[] unravel(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      idx[i] = shape[i] == 0 ? 0 : flat % shape[i];
      flat = shape[i] == 0 ? 0 : flat / shape[i];
    }
    return idx;
  }
}
