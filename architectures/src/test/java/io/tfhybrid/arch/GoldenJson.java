package io.tfhybrid.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The golden fixtures' JSON files (a family's {@code variants.json}, each case's {@code
 * config.json}) and the small readers every family's tests share; no TensorFlow needed. The
 * golden tests reach it through this module's test-jar.
 */
public final class GoldenJson {
  private GoldenJson() {}

  /**
   * The fixtures under golden-tests. Maven runs tests with the module directory as the working
   * directory, and the modules are siblings, so this path holds in every module.
   */
  public static final Path GOLDEN = Path.of("../golden-tests/src/test/resources/golden");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A family's fixture directory. */
  public static Path dir(Arch arch) {
    return GOLDEN.resolve(arch.id());
  }

  public static JsonNode read(Path p) {
    try {
      return JSON.readTree(Files.readString(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p.toAbsolutePath(), e);
    }
  }

  /** The family's copy of {@code variants.json}. */
  public static JsonNode variantsJson(Arch arch) {
    return read(dir(arch).resolve("variants.json"));
  }

  /** The case directories of a family, sorted by name; fails when there is none. */
  public static List<Path> caseDirs(Arch arch) {
    Path d = dir(arch);
    try (Stream<Path> dirs = Files.list(d)) {
      List<Path> out = dirs.filter(Files::isDirectory).sorted().toList();
      if (out.isEmpty()) {
        throw new IllegalStateException(
            "no " + arch.displayName() + " golden cases under " + d.toAbsolutePath());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A case directory's {@code config.json}. */
  public static JsonNode caseConfig(Path caseDir) {
    return read(caseDir.resolve("config.json"));
  }

  /** Every case's {@code config.json}, by case name, sorted by name; fails when there is none. */
  public static Map<String, JsonNode> caseConfigs(Arch arch) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Path d : caseDirs(arch)) {
      out.put(d.getFileName().toString(), caseConfig(d));
    }
    return out;
  }

  /** A JSON array of integers as a list (config records hold lists). */
  public static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  /** A JSON array of integers as an {@code int[]}. */
  public static int[] intArray(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asInt();
    }
    return out;
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
}
