package io.tfhybrid.arch.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The conversions every family's {@code fromFixture} needs to read the reference constructor
 * arguments a fixture records; each fails with the field's name when it is absent.
 */
public final class FixtureJson {
  private FixtureJson() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code node.name}; fails naming the field when it is absent. */
  public static JsonNode field(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(
          "fixture metadata: expected a field '" + name + "', found only " + names(node));
    }
    return v;
  }

  /** {@code node.name} as an int. */
  public static int intField(JsonNode node, String name) {
    return field(node, name).asInt();
  }

  /** A JSON array of integers as a list (config records hold lists). */
  public static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  /** A JSON array of integers as an {@code int[]}. */
  public static int[] intArray(JsonNode n) {
    return ints(n).stream().mapToInt(Integer::intValue).toArray();
  }

  /** A JSON array of integers as a {@code long[]} (a torch shape). */
  public static long[] longs(JsonNode n) {
    long[] out = new long[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asLong();
    }
    return out;
  }

  /** A JSON object as the plain map a reference config (e.g. CvT's yaml spec) arrives in. */
  @SuppressWarnings("unchecked")
  public static Map<String, ?> map(JsonNode n) {
    return JSON.convertValue(n, Map.class);
  }

  private static List<String> names(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
