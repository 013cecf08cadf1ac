package io.tfhybrid.golden;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A bundled golden case ({@code src/test/resources/golden/<arch>/<case>/}, copied byte for byte
 * from {@code ../shared/golden}) as the tests use it: the project's one fixture reader, {@link
 * GoldenFixture}, plus the tensors read with interop's readers. Every file is handed out only after
 * its sha256 matched the case's metadata; a missing fixture fails, nothing skips silently. I/O
 * errors are unchecked here so that cases can feed parameterised tests.
 */
public record GoldenCase(GoldenFixture fixture) {
  private static Path root;

  /** The fixtures' root on the test class path. */
  public static synchronized Path root() {
    if (root == null) {
      root = unchecked(() -> GoldenFixture.classpathRoot(GoldenCase.class, "/golden"));
    }
    return root;
  }

  /** Every case of a family, sorted by name; fails when there is none. */
  public static Stream<GoldenCase> all(Arch arch) {
    return unchecked(() -> GoldenFixture.cases(root(), arch)).stream().map(GoldenCase::new);
  }

  /** Every case of a family, each once per weight {@link Format}: a golden test's arguments. */
  public static Stream<Arguments> withFormats(Arch arch) {
    return all(arch).flatMap(c -> Stream.of(Format.values()).map(f -> Arguments.of(c, f)));
  }

  /** The case {@code name} of a family; fails when there is none. */
  public static GoldenCase named(Arch arch, String name) {
    return new GoldenCase(unchecked(() -> GoldenFixture.named(root(), arch, name)));
  }

  /** The family's copy of {@code variants.json}. */
  public static JsonNode variantsJson(Arch arch) {
    return unchecked(() -> GoldenFixture.variantsJson(root(), arch));
  }

  public Arch arch() {
    return fixture.arch();
  }

  public String name() {
    return fixture.name();
  }

  public Path dir() {
    return fixture.dir();
  }

  /** The case's metadata (config.json). */
  public JsonNode metadata() {
    return fixture.metadata();
  }

  /** The config the case was generated with, as its family reads it. */
  public ModelConfig modelConfig() {
    return fixture.config().orElseThrow();
  }

  /** The reference state_dict listing: key → torch shape, in order. */
  public Map<String, long[]> stateDictShapes() {
    return fixture.stateDictShapes();
  }

  /** Verifies every file's sha256; throws on the first difference. */
  public void verifyChecksums() {
    unchecked(() -> {
      fixture.verifyAll();
      return null;
    });
  }

  /** A fixture file, after its checksum matched. */
  public Path file(String name) {
    return unchecked(() -> fixture.file(name));
  }

  public Path weights(Format format) {
    return file(format.fileName());
  }

  /** The input as stored: NCHW float32. */
  public HostTensor inputNchw() {
    return npy(file(fixture.inputFile()));
  }

  /** The input as the models take it: NHWC float32. */
  public HostTensor inputNhwc() {
    return Layouts.nchwToNhwc(inputNchw());
  }

  public int height() {
    return fixture.height();
  }

  public int width() {
    return fixture.width();
  }

  /** Expected outputs in forward order: every {@code feature.*}, then the logits. */
  public List<GoldenFixture.Output> expected() {
    return fixture.outputs();
  }

  /** An expected output's tensor, after its checksum matched. */
  public HostTensor tensor(GoldenFixture.Output output) {
    return npy(file(output.file()));
  }

  /** key → {@code "[a, b]"} in order, for comparisons that print readably when they fail. */
  public static Map<String, String> printable(Map<String, long[]> shapes) {
    Map<String, String> m = new LinkedHashMap<>();
    shapes.forEach((k, v) -> m.put(k, Checks.shape(v)));
    return m;
  }

  /** The single array of a {@code .npy} file. */
  public static HostTensor npy(Path file) {
    var sd = unchecked(() -> Checkpoints.read(file));
    return sd.get(sd.keys().get(0));
  }

  private interface Io<T> {
    T get() throws IOException;
  }

  private static <T> T unchecked(Io<T> io) {
    try {
      return io.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return fixture.toString();
  }
}
