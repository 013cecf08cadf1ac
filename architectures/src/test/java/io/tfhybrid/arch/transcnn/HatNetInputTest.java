package io.tfhybrid.arch.transcnn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The input-size rule is enforced before any graph exists, with the legal sizes in the message. */
class HatNetInputTest {
  private static final HatNet TINY = HatNetVariants.TINY.createModule();

  @ParameterizedTest
  @ValueSource(ints = {221, 222, 223, 224, 445, 448, 669, 896})
  void officialLegalSides(int side) {
    assertDoesNotThrow(() -> TINY.checkInputSize(side, side));
  }

  @Test
  void nonSquareInputsAreLegal() {
    assertDoesNotThrow(() -> TINY.checkInputSize(224, 448));
    assertDoesNotThrow(() -> TINY.checkInputSize(446, 222));
  }

  @ParameterizedTest
  @ValueSource(ints = {220, 225, 256, 384, 444, 449, 512, 1, 0})
  void illegalSidesAreRejectedWithTheLegalOnes(int side) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TINY.checkInputSize(side, 224));
    assertTrue(e.getMessage().contains("Legal sides (height and width independently):"
        + " 221-224, 445-448, 669-672, 893-896, ..."), e.getMessage());
    assertTrue(e.getMessage().contains("height " + side), e.getMessage());
    assertTrue(e.getMessage().contains("TransCNN (HAT-Net)"), e.getMessage());
  }

  @Test
  void transCnnV1ResolutionIsExplained() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TINY.checkInputSize(256, 256));
    assertEquals("TransCNN (HAT-Net) (grid sizes [8, 7, 7, 1], ds ratios [8, 4, 2, 1]) cannot run"
        + " a 256x256 input: height 256 gives a stage-2 map side of 32, which is not a multiple of"
        + " its window size 7; width 256 gives a stage-2 map side of 32, which is not a multiple of"
        + " its window size 7. Legal sides (height and width independently): 221-224, 445-448,"
        + " 669-672, 893-896, .... The reference fails on such sizes with a reshape error; resize"
        + " or crop the image to a legal size (this port does not pad or crop).", e.getMessage());
  }

  @Test
  void rejectedBeforeAnyGraphExists() {
    // BuiltModel calls checkInputSize before it creates the graph.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BuiltModel.build("transcnn_tiny_224", TINY, 256, 256));
    assertTrue(e.getMessage().contains("221-224"), e.getMessage());
  }

  @Test
  void fixtureConfigsUseTheGeneralRule() {
    // b2_odd_45x79_floorpool: grids 4/2/1/1, pooling 8/4: stage-1 side a multiple of 4 and >= 8.
    HatNetConfig odd = HatNetConfig.of(new int[] {12, 24, 36, 48}, 12, new int[] {2, 4, 3, 2},
        new int[] {4, 2, 1, 1}, new int[] {8, 4, 1, 1}, new int[] {2, 1, 1, 2},
        new int[] {3, 3, 5, 3}, 7);
    HatNet m = odd.createModule();
    assertDoesNotThrow(() -> m.checkInputSize(45, 79));
    assertEquals("29-32, 45-48, 61-64, 77-80, ...", HatNetGeometry.describeLegalSides(odd));
    IllegalArgumentException small =
        assertThrows(IllegalArgumentException.class, () -> m.checkInputSize(16, 79));
    assertTrue(small.getMessage().contains(
        "height 16 gives a stage-1 map side of 4, smaller than its pooling ratio 8"),
        small.getMessage());
    // A stage without blocks has no attention, hence no constraint.
    HatNetConfig noStage1 = odd.withDepths(0, 1, 1, 2);
    assertDoesNotThrow(() -> noStage1.createModule().checkInputSize(28, 28));
  }

  @Test
  void stageSides() {
    assertEquals("[56, 28, 14, 7]", java.util.Arrays.toString(HatNetGeometry.stageSides(224)));
    assertEquals("[12, 6, 3, 2]", java.util.Arrays.toString(HatNetGeometry.stageSides(45)));
    assertEquals("[20, 10, 5, 3]", java.util.Arrays.toString(HatNetGeometry.stageSides(79)));
  }

  @Test
  void configValidation() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HatNetConfig.of(new int[] {48, 96, 240, 380}, 48, new int[] {8, 8, 4, 4},
            new int[] {8, 7, 7, 1}, new int[] {8, 4, 2, 1}, new int[] {2, 2, 6, 3},
            new int[] {3, 3, 3, 3}, 1000));
    assertEquals("stage 4: dim 380 must be a multiple of head_dim 48 (heads = dim / head_dim)",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new HatNetStageConfig(8, 1, 2, 2, 2, 4));
    assertThrows(IllegalArgumentException.class,
        () -> new HatNetConfig(HatNetVariants.TINY.stages().subList(0, 3), 48, 10));
    assertEquals(10, HatNetVariants.TINY.withNumClasses(10).numClasses());
  }
}
