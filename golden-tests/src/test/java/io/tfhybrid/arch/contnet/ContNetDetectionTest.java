package io.tfhybrid.arch.contnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Variant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ContNetVariants#detect}: topology and three flags from the keys, heads from relative
 * tables (else the official 2^i), pre_norm the official False (invisible), input 224 for 4 stages.
 */
class ContNetDetectionTest {

  static Stream<Variant<ContNetConfig>> variants() {
    return ContNetVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantInfersBackToItsConfigAt224(Variant<ContNetConfig> v) {
    Detection<ContNetConfig> inf =
        ContNetVariants.detect(v.config().createModule().stateDictShapes()).orElseThrow();
    assertEquals(v.config(), inf.config(), inf.reasons().toString());
    assertEquals(224, inf.height());
    assertEquals(224, inf.width());
    assertTrue(inf.reasons().contains(ContNetVariants.PRE_NORM_REASON), inf.reasons().toString());
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.CONTNET);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureCheckpointInfersItsConfigUpToTheInvisibleFlags(GoldenCase gc) {
    JsonNode c = gc.metadata();
    ContNetConfig expected = ContNetConfig.fromFixture(c);
    Detection<?> inf =
        Models.detect(Arch.CONTNET, gc.stateDictShapes()).orElseThrow();
    ContNetConfig got = (ContNetConfig) inf.config();
    // pre_norm is never visible; heads only with relative tables.
    ContNetConfig visible = expected.withPreNorm(false);
    if (!expected.flags().relative()) {
      visible = visible.withHeadNum(got.headNum());
    }
    assertEquals(visible, got, inf.reasons().toString());
    assertEquals(expected.sidePeriod(), inf.height());
    assertEquals(expected.numStages() == 4 ? 224 : expected.sidePeriod(), inf.width());
    got.createModule().checkInputSize(inf.height(), inf.width());
  }

  @Test
  void aTinyTrainedWithRelativePositionsIsInferredWithItsFlagsAndHeads() {
    ContNetConfig relTi =
        ContNetVariants.TI.config().withFlags(ContNetFlags.OFFICIAL.withRelative(true));
    Detection<?> inf =
        Models.detect(Arch.CONTNET, relTi.createModule().stateDictShapes()).orElseThrow();
    assertEquals(relTi, inf.config());
    assertTrue(
        inf.reasonTexts()
            .contains(
                "relative=True: found 'layer1.ConTBlock0.ste1.attn.relative_position_bias_table'"
                    + " and no 'pe.0'/'pe.1'"),
        inf.reasons().toString());
    assertTrue(
        inf.reasonTexts().contains("head_num=[1, 2, 4, 8]: from the relative tables' second dimension"),
        inf.reasons().toString());
    assertTrue(
        inf.reasons().contains(ContNetVariants.PRE_NORM_REASON), inf.reasons().toString());
    assertTrue(ContNetVariants.PRE_NORM_REASON.text().contains("--pre-norm"));
    assertEquals(Reason.Kind.ASSUMED, ContNetVariants.PRE_NORM_REASON.kind());
  }
}
