package io.tfhybrid.arch.cvt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Illegal inputs are rejected before any graph exists / runs, with the legal sizes stated. */
class CvtInputTest {
  /** A tiny CvT (fixture-sized widths) so the graph tests stay fast. */
  static final CvtConfig TINY = CvtVariants.CVT_13.withNumClasses(7)
      .withEachStage(s -> s.withWidth(s.dimEmbed() / 8, s.numHeads()).withDepth(1));

  @Test
  void tooSmallInputsAreRejectedBeforeTheGraphExists() {
    Cvt m = CvtVariants.CVT_13.createModule();
    assertTrue(m.minInputSide() == 3);
    for (long[] hw : new long[][] {{2, 224}, {224, 2}, {0, 0}, {-5, 224}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BuiltModel.build("cvt_13_224", m, hw[0], hw[1]));
      assertTrue(e.getMessage().contains("CvT input " + hw[0] + "x" + hw[1]), e.getMessage());
      assertTrue(e.getMessage().contains("height and width must each be >= 3"), e.getMessage());
      assertTrue(e.getMessage().contains("every size from 3 up is legal"), e.getMessage());
    }
    assertDoesNotThrow(() -> m.checkInputSize(3, 3));
    assertDoesNotThrow(() -> m.checkInputSize(93, 71));
    assertDoesNotThrow(() -> m.checkInputSize(384, 224));
  }

  @Test
  void wrongLayoutChannelsOrSizeAreRejectedBeforeTheGraphRuns() {
    try (BuiltModel m = BuiltModel.build("tiny", TINY.createModule(), 64, 80)) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
      List<String> fetch = List.of(BuiltModel.LOGITS);
      // NCHW instead of NHWC
      IllegalArgumentException nchw = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 3, 64, 80}, new float[3 * 64 * 80]),
              fetch));
      assertTrue(nchw.getMessage().contains("expected [N, 64, 80, 3] NHWC float32"),
          nchw.getMessage());
      assertTrue(nchw.getMessage().contains("NCHW?"), nchw.getMessage());
      // one channel
      IllegalArgumentException gray = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 64, 80, 1}, new float[64 * 80]), fetch));
      assertTrue(gray.getMessage().contains("expected [N, 64, 80, 3]"), gray.getMessage());
      // another size than the graph was built for
      IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 80, 64, 3}, new float[3 * 64 * 80]),
              fetch));
      assertTrue(size.getMessage().contains("found [1, 80, 64, 3]"), size.getMessage());
      // the legal input runs, with batch 2 and logits [B, N]
      HostTensor ok = HostTensor.ofFloats(new long[] {2, 64, 80, 3}, new float[2 * 3 * 64 * 80]);
      assertArrayEquals(new long[] {2, 7}, m.run(ok, fetch).get(BuiltModel.LOGITS).shape());
    }
  }

  @Test
  void batchOneLogitsAreTwoDimensional() {
    // Parity quirk 4: the reference returns [N] for B = 1; we always return [B, N].
    try (BuiltModel m = BuiltModel.build("tiny", TINY.createModule(), 93, 71)) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 2));
      HostTensor x = HostTensor.ofFloats(new long[] {1, 93, 71, 3}, new float[93 * 71 * 3]);
      assertArrayEquals(new long[] {1, 7},
          m.run(x, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS).shape());
    }
  }
}
