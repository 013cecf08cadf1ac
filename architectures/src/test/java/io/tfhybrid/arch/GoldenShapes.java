package io.tfhybrid.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The golden fixtures' checkpoint listings (config.json {@code state_dict}: key → torch shape, in
 * the reference's order), for tests that need no weights and no TensorFlow.
 */
public final class GoldenShapes {
  private GoldenShapes() {}

  /** Maven runs tests with the module directory as the working directory. */
  public static final Path GOLDEN = Path.of("../golden-tests/src/test/resources/golden");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The case directories of a family, sorted by name; fails when there is none. */
  public static List<String> caseNames(Arch arch) {
    try (Stream<Path> dirs = Files.list(GOLDEN.resolve(arch.id()))) {
      List<String> out =
          dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
      if (out.isEmpty()) {
        throw new IllegalStateException("no golden cases under " + GOLDEN.resolve(arch.id()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A case's config.json {@code state_dict}: key → torch shape, in order. */
  public static Map<String, long[]> of(Arch arch, String caseName) {
    Path p = GOLDEN.resolve(arch.id()).resolve(caseName).resolve("config.json");
    JsonNode cfg;
    try {
      cfg = JSON.readTree(Files.readString(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p.toAbsolutePath(), e);
    }
    Map<String, long[]> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = cfg.get("state_dict").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      long[] s = new long[e.getValue().size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = e.getValue().get(i).asLong();
      }
      m.put(e.getKey(), s);
    }
    return m;
  }
}
