package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphTesterSmokeTest {
  @Test
  void linearComputesXWtPlusB() {
    Linear lin = new Linear(2, 3, true);
    try (GraphTester g = GraphTester.create()) {
      // W is [out=3, in=2] in torch layout.
      float[] w = {1, 2, 3, 4, 5, 6};
      float[] b = {0.5f, -1, 2};
      var run = g.run(lin, Map.of("weight", w, "bias", b), new long[] {1, 2}, new float[] {1, -1});
      assertArrayEquals(new float[] {1 - 2 + 0.5f, 3 - 4 - 1, 5 - 6 + 2}, run.output().toFloatArray(), 1e-6f);
    }
  }
}
