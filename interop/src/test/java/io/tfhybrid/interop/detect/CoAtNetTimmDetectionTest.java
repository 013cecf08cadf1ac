package io.tfhybrid.interop.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --model auto on pretrained timm CoAtNet layouts (no weights, no TensorFlow). */
class CoAtNetTimmDetectionTest {

  @Test
  void rmlp2SaysItAssumed224AndHowToGet384() {
    Map<String, long[]> shapes =
        Models.variant("coatnet_rmlp_2_rw_384.sw_in12k_ft_in1k").config().createModule()
            .stateDictShapes();
    ModelChoice c = ModelDetector.detect("model.safetensors", shapes, null);
    assertEquals(Arch.COATNET_TIMM, c.arch());
    assertEquals("coatnet_rmlp_2_rw_224", c.name());
    assertEquals(224, c.height());
    String why = String.join("\n", c.reasonTexts());
    assertTrue(why.contains("coatnet_rmlp_2_rw_384") && why.contains("pass --model"), why);
    // --size 384 rebuilds the same weights for 384 (bias MLP): the 384 model.
    ModelChoice at384 = c.atSize(384, 384);
    assertEquals(
        Models.variant("coatnet_rmlp_2_rw_384").config(), at384.config());
  }

  @Test
  void anImageNet12kHeadIsDetectedWithItsClassCount() {
    Map<String, long[]> shapes =
        Models.variant("coatnet_2_rw_224.sw_in12k").config().createModule().stateDictShapes();
    ModelChoice c = ModelDetector.detect("pytorch_model.bin", shapes, null);
    assertEquals(11821, c.config().numClasses());
    assertTrue(c.name().startsWith("coatnet_2_rw_224"), c.name());
  }
}
