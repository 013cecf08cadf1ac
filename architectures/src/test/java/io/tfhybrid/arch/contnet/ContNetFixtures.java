package io.tfhybrid.arch.contnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the ConTNet fixtures' JSON (Maven runs tests with the module directory as cwd). */
final class ContNetFixtures {
  private ContNetFixtures() {}

  static final Path GOLDEN = Path.of("../golden-tests/src/test/resources/golden/contnet");
  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(Path p) {
    try {
      return JSON.readTree(Files.readString(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p.toAbsolutePath(), e);
    }
  }

  static JsonNode variantsJson() {
    return json(GOLDEN.resolve("variants.json"));
  }

  /** Every case directory's config.json, sorted by name. */
  static List<JsonNode> cases() {
    try (Stream<Path> dirs = Files.list(GOLDEN)) {
      List<JsonNode> out = new ArrayList<>();
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        out.add(json(d.resolve("config.json")));
      }
      if (out.isEmpty()) {
        throw new IllegalStateException("no ConTNet golden cases under " + GOLDEN.toAbsolutePath());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  static long[] longs(JsonNode n) {
    long[] s = new long[n.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = n.get(i).asLong();
    }
    return s;
  }

  /** The config a case (or a variants.json entry) was built with: hyper_parameters + flags. */
  static ContNetConfig config(JsonNode hyperParameters, JsonNode flags) {
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

  static ContNetConfig caseConfig(JsonNode caseJson) {
    return config(caseJson.get("hyper_parameters"), caseJson.get("flags"));
  }

  /** A case's {@code state_dict} object (key → torch shape), in order. */
  static Map<String, long[]> caseShapes(JsonNode caseJson) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = caseJson.get("state_dict").fields();
        it.hasNext(); ) {
      var e = it.next();
      m.put(e.getKey(), longs(e.getValue()));
    }
    return m;
  }

  /** A variants.json {@code state_dict} list ([key, shape, dtype] rows) as key → shape. */
  static Map<String, long[]> variantShapes(JsonNode stateDictList) {
    Map<String, long[]> m = new LinkedHashMap<>();
    stateDictList.forEach(row -> m.put(row.get(0).asText(), longs(row.get(1))));
    return m;
  }
}
