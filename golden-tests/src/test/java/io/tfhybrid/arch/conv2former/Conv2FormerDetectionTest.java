package io.tfhybrid.arch.conv2former;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.contnet.ContNetVariants;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Conv2FormerVariants#detect}: every hyper-parameter of a Conv2Former is in its shapes. */
class Conv2FormerDetectionTest {

  static java.util.stream.Stream<Variant<Conv2FormerConfig>> variants() {
    return Conv2FormerVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantInfersBackToItsConfigAt224(Variant<Conv2FormerConfig> v) {
    Detection<Conv2FormerConfig> inf =
        Conv2FormerVariants.detect(new Conv2Former(v.config()).stateDictShapes()).orElseThrow();
    assertEquals(v.config(), inf.config());
    assertEquals(Arch.CONV2FORMER, inf.arch());
    assertEquals(224, inf.height());
    assertEquals(224, inf.width());
  }

  static java.util.stream.Stream<GoldenCase> cases() {
    return Conv2FormerStructureTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureCheckpointInfersItsExactConfig(GoldenCase c) {
    Conv2FormerConfig expected = Conv2FormerConfig.fromFixture(c.metadata());
    Detection<?> inf = Models.detect(Arch.CONV2FORMER, c.stateDictShapes()).orElseThrow();
    assertEquals(expected, inf.config(), inf.reasons().toString());
    assertTrue(
        inf.reasonTexts()
            .contains(
                "kernel_size="
                    + expected.kernelSize()
                    + ": 'stages.0.0.attn.att.2.weight' is [" + expected.dims().get(0) + ", 1, "
                    + expected.kernelSize() + ", " + expected.kernelSize() + "]"),
        inf.reasons().toString());
  }

  @Test
  void anotherFamilyIsNoConv2Former() {
    Map<String, long[]> contnet = ContNetVariants.TI.config().createModule().stateDictShapes();
    assertEquals(Optional.empty(), Conv2FormerVariants.detect(contnet));
  }
}
