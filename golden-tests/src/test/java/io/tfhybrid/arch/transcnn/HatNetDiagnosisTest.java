package io.tfhybrid.arch.transcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What diagnose() and unsupportedCheckpoint() say about checkpoints that do not load (no TF). */
class HatNetDiagnosisTest {
  private static final HatNet TINY = HatNetVariants.TINY.createModule();

  @ParameterizedTest
  @CsvSource({
      "TransCNN_Tiny, HAT-Net_Tiny.pth, transcnn_tiny_224",
      "TransCNN_Small, HAT-Net_Small.pth, transcnn_small_224",
      "TransCNN_Medium, HAT-Net_Medium.pth, transcnn_medium_224",
      "TransCNN_Large, HAT-Net_Large.pth, transcnn_large_224"})
  void transCnnV1CheckpointsAreRecognised(String v1, String successorFile, String successorId) {
    Map<String, long[]> shapes = HatNetFixtures.transCnnV1Shapes(v1);
    assertEquals(Optional.of("TransCNN v1 checkpoint: not supported, use the HAT-Net release"),
        TINY.unsupportedCheckpoint(shapes));
    List<String> hints = TINY.diagnose(shapes);
    assertEquals(1, hints.size(), hints.toString());
    String h = hints.get(0);
    assertTrue(h.startsWith("TransCNN v1 checkpoint: not supported, use the HAT-Net release. "), h);
    assertTrue(h.contains("BatchNorm running statistics ('patch_embed.1.running_mean')"), h);
    assertTrue(h.contains("a two-branch downsample ('ds2.residual.weight')"), h);
    assertTrue(h.contains("no 'attn.proj_norm'"), h);
    assertTrue(h.contains("It looks like " + v1 + " "), h);
    assertTrue(h.contains("Download '" + successorFile + "' (variant '" + successorId + "')"), h);
  }

  @ParameterizedTest
  @ValueSource(strings = {"transcnn_tiny_224", "transcnn_small_224", "transcnn_medium_224",
      "transcnn_large_224"})
  void hatNetCheckpointsAreNotV1(String id) {
    Map<String, long[]> shapes = 
        HatNetVariants.ALL.stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow()
            .config().createModule().stateDictShapes();
    assertEquals(Optional.empty(), TINY.unsupportedCheckpoint(shapes));
  }

  static Stream<Arguments> otherVariants() {
    return Stream.of(
        Arguments.of("transcnn_small_224", "(HAT_Net_small, HAT-Net_Small.pth: dims [64, 128, 320,"
            + " 512], depths [2, 3, 8, 3], kernel sizes [3, 3, 3, 3])"),
        Arguments.of("transcnn_medium_224", "(HAT_Net_medium, HAT-Net_Medium.pth: dims [64, 128,"
            + " 320, 512], depths [3, 6, 18, 3], kernel sizes [5, 3, 5, 3])"),
        Arguments.of("transcnn_large_224", "(HAT_Net_large, HAT-Net_Large.pth: dims [64, 128, 320,"
            + " 640], depths [3, 8, 27, 3], kernel sizes [3, 3, 3, 3])"));
  }

  @ParameterizedTest
  @MethodSource("otherVariants")
  void anotherVariantIsNamed(String id, String details) {
    HatNetConfig other = HatNetVariants.ALL.stream().filter(v -> v.id().equals(id)).findFirst()
        .orElseThrow().config();
    assertEquals(List.of("the checkpoint looks like variant '" + id + "' " + details),
        TINY.diagnose(other.createModule().stateDictShapes()));
    assertEquals(List.of("the checkpoint looks like variant '" + id + "' " + details
            + ", with 21 classes (HatNetConfig.withNumClasses(21))"),
        TINY.diagnose(other.withNumClasses(21).createModule().stateDictShapes()));
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 21841})
  void anotherClassCount(int classes) {
    assertEquals(List.of("the checkpoint has " + classes + " classes ('classifier.1.weight' ["
            + classes + ", 384]); for a different class count use HatNetConfig.withNumClasses("
            + classes + ")"),
        TINY.diagnose(
            HatNetVariants.TINY.withNumClasses(classes).createModule().stateDictShapes()));
  }

  @Test
  void unregisteredHyperParametersAreReadFromTheKeys() {
    HatNetConfig fixture = HatNetConfig.of(new int[] {16, 24, 40, 48}, 8, new int[] {4, 3, 2, 2},
        new int[] {4, 2, 2, 1}, new int[] {2, 4, 2, 1}, new int[] {1, 2, 1, 1},
        new int[] {3, 5, 3, 5}, 10);
    assertEquals(List.of("the checkpoint looks like a HAT-Net of no registered variant: dims [16,"
            + " 24, 40, 48], depths [1, 2, 1, 1], expansions [4, 3, 2, 2], kernel sizes [3, 5, 3,"
            + " 5], windowed attention in stages [1, 2, 3], 10 classes (grid sizes, ds ratios and"
            + " head_dim are not stored in a checkpoint); build it with HatNetConfig.of(...)"),
        TINY.diagnose(fixture.createModule().stateDictShapes()));
  }
}
