package io.tfhybrid.arch.cvt;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.GoldenJson;
import io.tfhybrid.nn.Checks;

/**
 * The CvT fixtures' records of the reference build (the official yaml spec, class count and MLP
 * activation), read without TensorFlow (the golden tests use them through the test-jar).
 */
public final class CvtFixtures {
  private CvtFixtures() {}

  /** The registry config a reference spec describes (fixtures use the reference's names). */
  public static CvtConfig config(JsonNode spec, int numClasses, String actLayer) {
    GeluKind act = switch (actLayer) {
      case "QuickGELU" -> GeluKind.QUICK;
      case "GELU" -> GeluKind.ERF;
      default -> throw new IllegalArgumentException("unknown act_layer " + actLayer);
    };
    return CvtConfig.fromReferenceSpec(GoldenJson.map(spec), numClasses, act);
  }

  /** The config a golden case was generated with: its config.json {@code build} object. */
  public static CvtConfig caseConfig(JsonNode caseJson) {
    JsonNode build = caseJson.get("build");
    Checks.checkArg(build.get("in_chans").asInt() == CvtConfig.IN_CHANS,
        "in_chans %s", build.get("in_chans"));
    return config(build.get("spec"), build.get("num_classes").asInt(),
        build.get("act_layer").asText());
  }
}
