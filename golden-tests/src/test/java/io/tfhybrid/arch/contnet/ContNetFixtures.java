package io.tfhybrid.arch.contnet;

import static io.tfhybrid.arch.golden.FixtureJson.longs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ConTNet variants.json listings, read without TensorFlow. */
public final class ContNetFixtures {
  private ContNetFixtures() {}

  /** A variants.json {@code state_dict} list ([key, shape, dtype] rows) as key → shape. */
  static Map<String, long[]> variantShapes(JsonNode stateDictList) {
    Map<String, long[]> m = new LinkedHashMap<>();
    stateDictList.forEach(row -> m.put(row.get(0).asText(), longs(row.get(1))));
    return m;
  }
}
