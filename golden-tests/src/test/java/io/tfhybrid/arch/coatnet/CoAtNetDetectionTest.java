package io.tfhybrid.arch.coatnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CoAtNetVariants#detect}: the network and its build size from keys and table rows. */
class CoAtNetDetectionTest {

  static Stream<Variant<CoAtNetConfig>> variants() {
    return CoAtNetVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantInfersBackToItsConfigAt224(Variant<CoAtNetConfig> v) {
    Detection<CoAtNetConfig> inf =
        CoAtNetVariants.detect(v.config().createModule().stateDictShapes()).orElseThrow();
    assertEquals(v.config(), inf.config(), inf.reasons().toString());
    assertEquals(224, inf.height());
    assertEquals(224, inf.width());
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.COATNET);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureCheckpointInfersItsExactConfigAndBuildSize(GoldenCase c) {
    CoAtNetConfig expected = CoAtNetConfig.fromFixture(c.metadata());
    Detection<?> inf = Models.detect(Arch.COATNET, c.stateDictShapes()).orElseThrow();
    assertEquals(expected, inf.config(), inf.reasons().toString());
    assertEquals(expected.imageSize(), inf.height());
    assertEquals(expected.imageSize(), inf.width());
    assertTrue(
        inf.reasonTexts().stream().anyMatch(r -> r.startsWith("image_size=" + expected.imageSize()
            + ": '")),
        inf.reasons().toString());
  }

  @Test
  void withoutTransformerStagesTheBuildSizeIsTheOfficial224() {
    CoAtNetConfig convOnly =
        new CoAtNetConfig(64, List.of(1, 1, 1, 1, 1), List.of(8, 8, 16, 16, 32),
            CoAtNetBlockType.layout("C-C-C-C"), 5);
    Detection<?> inf =
        Models.detect(Arch.COATNET, convOnly.createModule().stateDictShapes()).orElseThrow();
    assertEquals(convOnly.withImageSize(224), inf.config());
    assertEquals(224, inf.height());
    assertTrue(
        inf.reasonTexts().stream().anyMatch(r -> r.startsWith("image_size=224: the official size;"
            + " no stage is a Transformer")),
        inf.reasons().toString());
  }

  @Test
  void tablesOfDifferentBuildSizesInferNothing() {
    Map<String, long[]> s = CoAtNetVariants.COATNET_0_224.config().createModule().stateDictShapes();
    s.put("s3.0.attn.1.fn.relative_bias_table", new long[] {15 * 15, 8});
    assertEquals(Optional.empty(), CoAtNetVariants.detect(s));
  }
}
