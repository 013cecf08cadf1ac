package io.tfhybrid.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One fixture directory copied byte for byte from {@code ../shared/golden/<arch>/<case>/}:
 * {@code config.json}, the two weight files, {@code input.npy} (NCHW), {@code logits.npy} and
 * {@code feature.<module path>.npy}. A missing fixture fails; nothing skips silently.
 */
public record GoldenCase(Arch arch, String name, Path dir, JsonNode config) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One expected tensor: its capture name ("logits" or a module path), layout and file. */
  public record Expected(String output, String captureName, String layout, long[] shape, Path file) {}

  /** Every case of a family, sorted by name; fails when there is none. */
  public static Stream<GoldenCase> all(Arch arch) {
    Path root = resourceDir("/golden/" + arch.id());
    List<GoldenCase> cases = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        cases.add(load(arch, d));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (cases.isEmpty()) {
      throw new IllegalStateException("no golden cases under " + root
          + " (copy ../shared/golden/" + arch.id() + " byte for byte)");
    }
    return cases.stream();
  }

  /** Every case of a family, each once per weight {@link Format}: a golden test's arguments. */
  public static Stream<Arguments> withFormats(Arch arch) {
    return all(arch).flatMap(c -> Stream.of(Format.values()).map(f -> Arguments.of(c, f)));
  }

  /** The case {@code name} of a family; fails when there is none. */
  public static GoldenCase named(Arch arch, String name) {
    return all(arch)
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no golden case " + arch.id() + "/" + name));
  }

  /** The family's copy of {@code variants.json}. */
  public static JsonNode variantsJson(Arch arch) {
    Path p = resourceDir("/golden/" + arch.id()).resolve("variants.json");
    try (InputStream in = Files.newInputStream(p)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  static GoldenCase load(Arch arch, Path dir) {
    Path cfg = dir.resolve("config.json");
    if (!Files.isRegularFile(cfg)) {
      throw new IllegalStateException("golden case " + dir + " has no config.json");
    }
    try (InputStream in = Files.newInputStream(cfg)) {
      return new GoldenCase(arch, dir.getFileName().toString(), dir, JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + cfg, e);
    }
  }

  static Path resourceDir(String resource) {
    URL url = GoldenCase.class.getResource(resource);
    if (url == null) {
      throw new IllegalStateException("test resource " + resource + " is missing: copy ../shared"
          + resource + " into golden-tests/src/test/resources" + resource);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Verifies every file listed in {@code files_sha256}; throws on the first difference. */
  public void verifyChecksums() {
    JsonNode sums = config.get("files_sha256");
    if (sums == null || sums.isEmpty()) {
      throw new IllegalStateException(this + ": config.json lists no files_sha256");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = sums.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path f = dir.resolve(e.getKey());
      if (!Files.isRegularFile(f)) {
        throw new IllegalStateException(this + ": fixture file " + e.getKey() + " is missing");
      }
      String actual = sha256(f);
      if (!actual.equals(e.getValue().asText())) {
        throw new IllegalStateException(this + ": " + e.getKey() + " has sha256 " + actual
            + ", config.json says " + e.getValue().asText()
            + " (fixtures are copied byte for byte and never edited)");
      }
    }
  }

  static String sha256(Path f) {
    try (InputStream in = Files.newInputStream(f)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path weights(Format format) {
    return dir.resolve(format.fileName());
  }

  /** The input as stored: NCHW float32. */
  public HostTensor inputNchw() {
    return npy(dir.resolve(config.get("input").get("file").asText()));
  }

  /** The input as the models take it: NHWC float32. */
  public HostTensor inputNhwc() {
    return Layouts.nchwToNhwc(inputNchw());
  }

  /** Input height and width (from the NCHW input shape). */
  public int height() {
    return config.get("input").get("shape").get(2).asInt();
  }

  public int width() {
    return config.get("input").get("shape").get(3).asInt();
  }

  /**
   * Expected outputs in forward order: every {@code feature.*} in the order config.json lists
   * them, then the logits.
   */
  public List<Expected> expected() {
    List<Expected> features = new ArrayList<>();
    Expected logits = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = config.get("outputs").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode o = e.getValue();
      long[] shape = new long[o.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = o.get("shape").get(i).asLong();
      }
      String out = e.getKey();
      String capture = out.startsWith("feature.") ? out.substring("feature.".length()) : out;
      Expected x = new Expected(out, capture, o.get("layout").asText(), shape,
          dir.resolve(o.get("file").asText()));
      if (out.equals("logits")) {
        logits = x;
      } else {
        features.add(x);
      }
    }
    if (logits == null) {
      throw new IllegalStateException(this + ": config.json has no logits output");
    }
    features.add(logits);
    return features;
  }

  public static HostTensor npy(Path file) {
    try {
      var sd = Checkpoints.read(file);
      return sd.get(sd.keys().get(0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public String toString() {
    return arch.id() + "/" + name;
  }
}
