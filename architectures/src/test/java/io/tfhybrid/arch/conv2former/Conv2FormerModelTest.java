package io.tfhybrid.arch.conv2former;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class Conv2FormerModelTest {

  @Test
  void smallestOfficialVariantRunsAt224WithRandomWeights() {
    Variant<Conv2FormerConfig> v = Conv2FormerVariants.N;
    try (BuiltModel m = BuiltModel.build(v)) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 7));
      SplittableRandom r = new SplittableRandom(1);
      float[] x = new float[2 * 224 * 224 * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextDouble() * 2 - 1);
      }
      HostTensor logits = m.run(HostTensor.ofFloats(new long[] {2, 224, 224, 3}, x),
          List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS);
      assertArrayEquals(new long[] {2, 1000}, logits.shape());
      for (float f : logits.toFloatArray()) {
        assertTrue(Float.isFinite(f), "non-finite logit");
      }
    }
  }

  @Test
  void rejectsInputsBelow31BeforeBuilding() {
    Conv2Former m = new Conv2Former(Conv2FormerVariants.N.config());
    m.checkInputSize(31, 31);
    m.checkInputSize(32, 31);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.checkInputSize(30, 224));
    assertTrue(e.getMessage().contains("at least 31"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BuiltModel.build("n", m, 224, 30));
  }

  @Test
  void rejectsWrongChannelsAndLayoutAtRunTime() {
    Conv2FormerConfig tiny = new Conv2FormerConfig(7, List.of(8, 8, 8, 8), List.of(1, 1, 1, 1), List.of(1, 1, 1, 1), 3);
    try (BuiltModel m = BuiltModel.build("tiny", new Conv2Former(tiny), 32, 32)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.run(HostTensor.ofFloats(new long[] {1, 3, 32, 32}, new float[3 * 32 * 32]), List.of("logits")));
      assertTrue(e.getMessage().contains("expected [N, 32, 32, 3] NHWC float32, found [1, 3, 32, 32]"), e.getMessage());
      assertTrue(e.getMessage().contains("NCHW?"), e.getMessage());
    }
  }

  @Test
  void diagnoseNamesTheVariantAKernelMismatchPointsTo() {
    Map<String, long[]> shapes = new Conv2Former(Conv2FormerVariants.N.config()).stateDictShapes();
    List<String> hints = new Conv2Former(Conv2FormerVariants.T.config()).diagnose(shapes);
    assertTrue(hints.stream().anyMatch(h -> h.contains("depthwise kernel is 7x7")), hints.toString());
    assertTrue(hints.stream().anyMatch(h -> h.contains("'conv2former_n_224'")), hints.toString());
  }

  @Tag("slow")
  @Test
  void everyOfficialVariantBuildsAtItsDefaultResolution() {
    for (Variant<Conv2FormerConfig> v : Conv2FormerVariants.ALL) {
      try (BuiltModel m = BuiltModel.build(v)) {
        m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
        assertArrayEquals(new long[] {-1, 1000}, m.outputs().get(BuiltModel.LOGITS).shape().asArray());
      }
    }
  }
}
