package io.tfhybrid.arch.contnet;

import static io.tfhybrid.arch.GoldenJson.ints;
import static io.tfhybrid.arch.GoldenJson.longs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ConTNet fixtures' records of the reference constructor, read without TensorFlow (the golden
 * tests use them through the test-jar).
 */
public final class ContNetFixtures {
  private ContNetFixtures() {}

  /** The config a case (or a variants.json entry) was built with: hyper_parameters + flags. */
  public static ContNetConfig config(JsonNode hyperParameters, JsonNode flags) {
    ContNetFlags f =
        new ContNetFlags(
            flags.get("use_avgdown").asBoolean(),
            flags.get("relative").asBoolean(),
            flags.get("qkv_bias").asBoolean(),
            flags.get("pre_norm").asBoolean());
    return new ContNetConfig(
        hyperParameters.get("inplanes").asInt(),
        ints(hyperParameters.get("layers")),
        ints(hyperParameters.get("mlp_dim")),
        ints(hyperParameters.get("head_num")),
        hyperParameters.get("num_classes").asInt(),
        f);
  }

  /** The config of a golden case's config.json: {@code hyper_parameters} and {@code flags}. */
  public static ContNetConfig caseConfig(JsonNode caseJson) {
    return config(caseJson.get("hyper_parameters"), caseJson.get("flags"));
  }

  /** A variants.json {@code state_dict} list ([key, shape, dtype] rows) as key → shape. */
  static Map<String, long[]> variantShapes(JsonNode stateDictList) {
    Map<String, long[]> m = new LinkedHashMap<>();
    stateDictList.forEach(row -> m.put(row.get(0).asText(), longs(row.get(1))));
    return m;
  }
}
