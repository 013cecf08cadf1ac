package io.tfhybrid.golden;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.load.WeightLoader;
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
    try (BuiltModel m = BuiltModel.build(c.toString(), root, c.height(), c.width())) {
      WeightLoader.load(m, Checkpoints.read(c.weights(format)));
      return GoldenAssert.inForwardOrder(c, format.name().toLowerCase(java.util.Locale.ROOT), m,
          Tolerance.FP32);
    }
  }
}
