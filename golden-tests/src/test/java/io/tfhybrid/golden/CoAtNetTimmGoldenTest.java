package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConfig;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.hub.TimmCheckpoint;
import io.tfhybrid.interop.hub.TimmConfig;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every timm CoAtNet fixture: the three file cases from weights.pth and weights.safetensors, the
 * hub-folder case from its model.safetensors; logits and every captured feature (stem, shortcuts,
 * down, se_early, pre_norm, conv2_kxk, norm1, attn.rel_pos logits, attn, ls1, stage ends, norm,
 * head.global_pool) within 1e-4 · max(1, max|ref|).
 */
@Tag("golden")
class CoAtNetTimmGoldenTest {
  static final String HUB_CASE = "hub_rmlp1_tiny";

  static CoAtNetTimmConfig config(GoldenCase c) {
    return (CoAtNetTimmConfig) c.modelConfig();
  }

  static Stream<Arguments> fileCases() {
    return GoldenCase.withFormats(Arch.COATNET_TIMM)
        .filter(a -> !((GoldenCase) a.get()[0]).name().equals(HUB_CASE));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fileCases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(c, format, config(c).createModule());
  }

  @Test
  void hubCaseMatchesFromItsSafetensors() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.COATNET_TIMM, HUB_CASE);
    var weights = c.file("model.safetensors");
    GoldenHarness.check(c, "model.safetensors", Checkpoints.read(weights), config(c).createModule());
  }

  /**
   * The hub folder as a user has it: weights file and config found by {@link TimmCheckpoint}, the
   * model built from timm's config.json alone (architecture, model_args, num_classes, input_size).
   */
  @Test
  void hubFolderMatchesThroughItsOwnConfigJson() throws Exception {
    GoldenCase c = GoldenCase.named(Arch.COATNET_TIMM, HUB_CASE);
    c.verifyChecksums();
    TimmCheckpoint hub = TimmCheckpoint.locate(c.dir());
    assertEquals(c.file("model.safetensors"), hub.weights());
    TimmConfig cfg = hub.config().orElseThrow();
    CoAtNetTimmConfig built = cfg.modelConfig();
    assertEquals(config(c), built, "config.json rebuilds the model of the create_model call");
    GoldenHarness.check(c, "hub folder", Checkpoints.read(hub.weights()), built.createModule());
  }
}
