package io.tfhybrid.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.cvt.GeluKind;
import java.util.Map;

/** The CvT config a golden case was generated with (its config.json {@code build} object). */
final class CvtGoldenConfigs {
  private CvtGoldenConfigs() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  @SuppressWarnings("unchecked")
  static CvtConfig of(GoldenCase c) {
    JsonNode build = c.config().get("build");
    if (build.get("in_chans").asInt() != CvtConfig.IN_CHANS) {
      throw new IllegalStateException(c + ": in_chans " + build.get("in_chans"));
    }
    GeluKind act = switch (build.get("act_layer").asText()) {
      case "QuickGELU" -> GeluKind.QUICK;
      case "GELU" -> GeluKind.ERF;
      default -> throw new IllegalStateException(c + ": act_layer " + build.get("act_layer"));
    };
    return CvtConfig.fromReferenceSpec(JSON.convertValue(build.get("spec"), Map.class),
        build.get("num_classes").asInt(), act);
  }
}
