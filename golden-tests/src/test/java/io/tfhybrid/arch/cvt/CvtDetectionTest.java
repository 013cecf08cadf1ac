package io.tfhybrid.arch.cvt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CvtVariants#detect}: everything the weights show, and the official values (head dim 64,
 * embedding strides/paddings, k/v stride 2, QuickGELU) for what they do not.
 */
class CvtDetectionTest {

  static Stream<Variant<CvtConfig>> variants() {
    return CvtVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantInfersBackToItsConfig(Variant<CvtConfig> v) {
    Detection<CvtConfig> inf =
        CvtVariants.detect(v.config().createModule().stateDictShapes()).orElseThrow();
    assertEquals(v.config(), inf.config(), inf.reasons().toString());
    assertEquals(224, inf.height());
    assertEquals(224, inf.width());
  }

  static Stream<GoldenCase> cases() {
    return CvtStructureTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureCheckpointInfersItsConfigUpToTheHeadCounts(GoldenCase c) {
    CvtConfig expected = CvtConfig.fromFixture(c.metadata());
    Detection<?> inf = Models.detect(Arch.CVT, c.stateDictShapes()).orElseThrow();
    // Head counts are not in the weights: the inference assumes head dim <= 64.
    CvtConfig visible = expected.withEachStage(
        s -> s.withWidth(s.dimEmbed(), CvtVariants.headsFor(s.dimEmbed())));
    assertEquals(visible, inf.config(), inf.reasons().toString());
    assertTrue(
        inf.reasonTexts().stream().anyMatch(r -> r.startsWith("num_heads [1, 1, 1]: not stored")
            && r.contains("assumed head dim 64")),
        inf.reasons().toString());
  }

  @Test
  void aCheckpointWithoutHeadHasNoClassifier() {
    CvtConfig headless = CvtVariants.CVT_13.withNumClasses(0);
    Detection<CvtConfig> inf =
        CvtVariants.detect(headless.createModule().stateDictShapes()).orElseThrow();
    assertEquals(headless, inf.config());
    assertTrue(
        inf.reasonTexts().contains(
            "no 'head.weight': no classifier (num_classes=0, the logits are the features)"),
        inf.reasons().toString());
  }

  @Test
  void headsAreTheFewestOfAtMost64Channels() {
    assertEquals(1, CvtVariants.headsFor(64));
    assertEquals(3, CvtVariants.headsFor(192));
    assertEquals(6, CvtVariants.headsFor(384));
    assertEquals(16, CvtVariants.headsFor(1024));
    assertEquals(1, CvtVariants.headsFor(48));
    assertEquals(2, CvtVariants.headsFor(96));
    assertEquals(3, CvtVariants.headsFor(150));
  }

  @Test
  void theMlpRatioReproducesTheHiddenWidthExactly() {
    for (int dim = 1; dim <= 300; dim++) {
      for (long hidden = 1; hidden <= 5L * dim; hidden++) {
        double r = CvtVariants.mlpRatio(dim, hidden);
        assertEquals(hidden, (int) (dim * r), dim + " x " + r);
      }
    }
  }
}
