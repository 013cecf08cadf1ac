package io.tfhybrid.arch;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.nn.Checks;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden fixtures' checkpoint listings (config.json {@code state_dict}: key → torch shape, in
 * the reference's order), for tests that need no weights and no TensorFlow.
 */
public final class GoldenShapes {
  private GoldenShapes() {}

  /** The case directories of a family, sorted by name; fails when there is none. */
  public static List<String> caseNames(Arch arch) {
    return GoldenJson.caseDirs(arch).stream().map(d -> d.getFileName().toString()).toList();
  }

  /** A case's config.json {@code state_dict}: key → torch shape, in order. */
  public static Map<String, long[]> of(Arch arch, String caseName) {
    Path dir = GoldenJson.dir(arch).resolve(caseName);
    return of(GoldenJson.caseConfig(dir).get("state_dict"));
  }

  /** A config.json {@code state_dict} object: key → torch shape, in order. */
  public static Map<String, long[]> of(JsonNode stateDict) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = stateDict.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), GoldenJson.longs(e.getValue()));
    }
    return m;
  }

  /** key → {@code "[a, b]"} in order, for comparisons that print readably when they fail. */
  public static Map<String, String> printable(Map<String, long[]> shapes) {
    Map<String, String> m = new LinkedHashMap<>();
    shapes.forEach((k, v) -> m.put(k, Checks.shape(v)));
    return m;
  }
}
