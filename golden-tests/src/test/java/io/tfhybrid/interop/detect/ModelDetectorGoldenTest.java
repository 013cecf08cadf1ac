package io.tfhybrid.interop.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.golden.GoldenCase;
import org.junit.jupiter.api.Test;

/** --model auto on the golden cases' state_dict listings (no weights, no TensorFlow). */
class ModelDetectorGoldenTest {

  @Test
  void aFamilyDetectionFindsUnofficialConfigurations() throws Exception {
    GoldenCase c = GoldenCase.all(Arch.CONV2FORMER).findFirst().orElseThrow();
    ModelChoice m = ModelDetector.detect(c.name(), c.stateDictShapes(), null);
    assertEquals("conv2former_inferred", m.name());
    assertEquals(c.modelConfig(), m.config());
    assertTrue(
        m.reasonTexts()
            .get(0)
            .startsWith(
                "no registered variant has these keys and shapes; the Conv2Former inference read"
                    + " the configuration from them: Conv2FormerConfig["),
        m.reasons().toString());
    assertTrue(
        m.reasonTexts().contains("kernel_size=11: 'stages.0.0.attn.att.2.weight' is [8, 1, 11, 11]"),
        m.reasons().toString());
    assertEquals(224, m.height());
  }

  @Test
  void everyFamilysGoldenCheckpointIsDetected() throws Exception {
    for (Arch a : Arch.values()) {
      for (GoldenCase c : GoldenCase.all(a).toList()) {
        ModelChoice m = ModelDetector.detect(c.name(), c.stateDictShapes(), null);
        assertEquals(a, m.arch(), c.toString());
        assertEquals(a.id() + "_inferred", m.name(), c.toString());
        assertTrue(
            Models.declaresExactly(m.config(), c.stateDictShapes()), c + ": " + m.reasons());
        m.createModule().checkInputSize(m.height(), m.width());
      }
    }
  }
}
