package io.tfhybrid.arch.transcnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HatNetVariants#detect}: dims, depths, expansions, kernels and windowed stages from the
 * keys; official grid sizes, ds ratios and head_dim; TransCNN v1 rejected.
 */
class HatNetDetectionTest {

  static Stream<Variant<HatNetConfig>> variants() {
    return HatNetVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantInfersBackToItsConfigAt224(Variant<HatNetConfig> v) {
    Detection<HatNetConfig> inf =
        HatNetVariants.detect(v.config().createModule().stateDictShapes()).orElseThrow();
    assertEquals(v.config(), inf.config(), inf.reasons().toString());
    assertEquals(224, inf.height());
    assertEquals(224, inf.width());
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.TRANSCNN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureCheckpointInfersWhatItsWeightsShow(GoldenCase c) {
    HatNetConfig expected = HatNetConfig.fromFixture(c.metadata());
    Detection<?> inf = Models.detect(Arch.TRANSCNN, c.stateDictShapes()).orElseThrow();
    HatNetConfig got = (HatNetConfig) inf.config();
    assertArrayEquals(expected.dims(), got.dims());
    assertArrayEquals(expected.depths(), got.depths());
    assertArrayEquals(expected.expansions(), got.expansions());
    assertArrayEquals(expected.kernelSizes(), got.kernelSizes());
    assertEquals(expected.numClasses(), got.numClasses());
    for (int s = 0; s < HatNetConfig.NUM_STAGES; s++) {
      assertEquals(expected.stage(s).hierarchical(), got.stage(s).hierarchical(), "stage " + s);
    }
    // Every fixture's head_dim divides its dims' gcd: the inference finds it.
    assertEquals(expected.headDim(), got.headDim(), inf.reasons().toString());
    assertTrue(HatNetGeometry.isLegalSide(got, inf.height()));
  }

  @Test
  void aTransCnnV1CheckpointIsNotInferred() {
    assertEquals(
        Optional.empty(), HatNetVariants.detect(HatNetFixtures.transCnnV1Shapes("TransCNN_Tiny")));
  }

  @Test
  void aWindowedLastStageTakesStageThreesOfficialWindow() {
    HatNetConfig c = HatNetConfig.of(new int[] {16, 32, 48, 64}, 16, new int[] {2, 2, 2, 2},
        new int[] {8, 7, 7, 2}, new int[] {8, 4, 2, 2}, new int[] {1, 1, 1, 1},
        new int[] {3, 3, 3, 3}, 10);
    Detection<?> inf = Models.detect(Arch.TRANSCNN, c.createModule().stateDictShapes())
        .orElseThrow();
    HatNetConfig got = (HatNetConfig) inf.config();
    assertArrayEquals(new int[] {8, 7, 7, 7}, got.gridSizes());
    assertArrayEquals(new int[] {8, 4, 2, 2}, got.dsRatios());
    assertEquals(224, inf.height());
    assertTrue(
        inf.reasonTexts().stream().anyMatch(r -> r.contains("stage 3's (7, 2) for a windowed stage")),
        inf.reasons().toString());
  }

  @Test
  void aStageWithoutBlocksTakesTheOfficialExpansionAndKernel() {
    HatNetConfig c = HatNetConfig.of(new int[] {64, 128, 320, 512}, 64, new int[] {2, 3, 4, 4},
        new int[] {8, 7, 7, 1}, new int[] {8, 4, 2, 1}, new int[] {1, 0, 1, 1},
        new int[] {5, 5, 5, 5}, 10);
    Detection<?> inf = Models.detect(Arch.TRANSCNN, c.createModule().stateDictShapes())
        .orElseThrow();
    HatNetConfig got = (HatNetConfig) inf.config();
    assertArrayEquals(new int[] {2, 8, 4, 4}, got.expansions());
    assertArrayEquals(new int[] {5, 3, 5, 5}, got.kernelSizes());
    assertEquals(64, got.headDim());
    assertTrue(
        inf.reasonTexts().stream().anyMatch(r -> r.contains("(official values for [stage 2]: no"
            + " blocks)")),
        inf.reasons().toString());
  }
}
