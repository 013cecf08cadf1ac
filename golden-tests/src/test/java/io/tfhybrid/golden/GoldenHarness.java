package io.tfhybrid.golden;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.interop.verify.Tolerance;
import java.io.IOException;
import java.util.List;

/** Verify, build, load, run, compare: the body of every architecture's golden test. */
public final class GoldenHarness {
  private GoldenHarness() {}

  /**
   * Checks the fixture's sha256 sums, builds {@code root} at the case's input size, loads the
   * case's weights in {@code format} strictly, and compares every output in forward order.
   */
  public static List<GoldenAssert.Measured> check(GoldenCase c, Format format, ClassifierModel root)
      throws IOException {
    c.verifyChecksums();
    return run(c, format.name().toLowerCase(java.util.Locale.ROOT),
        Checkpoints.read(c.weights(format)), root);
  }

  /**
   * The same for weights the test derived from the case's own (renamed, or written to another
   * file format and read back): checks the fixture's sha256 sums, builds {@code root}, loads
   * {@code weights} strictly, and compares every output in forward order.
   *
   * @param label names the weights in the printed table (e.g. {@code hf_tf_h5})
   */
  public static List<GoldenAssert.Measured> check(GoldenCase c, String label, StateDict weights,
      ClassifierModel root) {
    c.verifyChecksums();
    return run(c, label, weights, root);
  }

  private static List<GoldenAssert.Measured> run(GoldenCase c, String label, StateDict weights,
      ClassifierModel root) {
    try (BuiltModel m = BuiltModel.build(c.toString(), root, c.height(), c.width())) {
      WeightLoader.load(m, weights);
      return GoldenAssert.inForwardOrder(c, label, m, Tolerance.DEFAULT);
    }
  }
}
