package io.tfhybrid.arch.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one fixture reader's checksum policy, on cases the test writes itself. */
class GoldenFixtureTest {
  private static final String ABC_SHA256 =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @TempDir Path tmp;

  /** Writes {@code <root>/cvt/<name>/} with the given files and a metadata file listing them. */
  private static Path writeCase(Path root, String name, String metadataFile,
      Map<String, String> files, String extraMetadata) throws IOException {
    Path dir = Files.createDirectories(root.resolve("cvt").resolve(name));
    StringBuilder sums = new StringBuilder();
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.writeString(p, f.getValue());
      sums.append(sums.length() == 0 ? "" : ", ").append('"').append(f.getKey()).append("\": \"")
          .append(GoldenFixture.sha256(p)).append('"');
    }
    Files.writeString(dir.resolve(metadataFile), "{\"files_sha256\": {" + sums + "}"
        + (extraMetadata.isEmpty() ? "" : ", " + extraMetadata) + "}");
    return dir;
  }

  @Test
  void sha256IsTheStandardDigest() throws IOException {
    Path f = Files.writeString(tmp.resolve("abc"), "abc");
    assertEquals(ABC_SHA256, GoldenFixture.sha256(f));
  }

  @Test
  void aListedFileIsHandedOutOnlyWhileItsChecksumMatches() throws IOException {
    Path dir = writeCase(tmp, "a", "config.json", Map.of("input.npy", "x"),
        "\"input\": {\"file\": \"input.npy\", \"shape\": [1, 3, 5, 7]}");
    GoldenFixture f = GoldenFixture.open(Arch.CVT, dir);
    assertEquals("cvt/a", f.toString());
    assertEquals(dir.resolve("input.npy"), f.file("input.npy"));
    assertArrayEquals(new long[] {1, 3, 5, 7}, f.inputShape());
    assertEquals(5, f.height());
    assertEquals(7, f.width());

    GoldenFixture reopened = GoldenFixture.open(Arch.CVT, dir);
    Files.writeString(dir.resolve("input.npy"), "y");
    GoldenFixtureException e =
        assertThrows(GoldenFixtureException.class, () -> reopened.file("input.npy"));
    assertTrue(e.getMessage().startsWith("golden fixture '" + dir.resolve("input.npy")
        + "': not the generated file"), e.getMessage());
    assertTrue(e.getMessage().contains("expected sha256 "
        + "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881, found "
        + "a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa"), e.getMessage());
    assertThrows(GoldenFixtureException.class, reopened::verifyAll);
  }

  @Test
  void aFileWithoutAChecksumFails() throws IOException {
    Path dir = writeCase(tmp, "a", "config.json", Map.of("input.npy", "x"), "");
    Files.writeString(dir.resolve("logits.npy"), "z");
    GoldenFixtureException e =
        assertThrows(GoldenFixtureException.class, () -> GoldenFixture.open(Arch.CVT, dir));
    assertEquals("golden fixture '" + dir + "': files without a checksum: expected every file"
        + " listed in config.json's files_sha256, found unlisted [logits.npy]", e.getMessage());

    Files.delete(dir.resolve("logits.npy"));
    GoldenFixture f = GoldenFixture.open(Arch.CVT, dir);
    e = assertThrows(GoldenFixtureException.class, () -> f.file("logits.npy"));
    assertTrue(e.getMessage().contains(": no checksum: "), e.getMessage());
  }

  @Test
  void aListedFileThatIsMissingFails() throws IOException {
    Path dir = writeCase(tmp, "a", "config.json", Map.of("input.npy", "x", "logits.npy", "z"), "");
    Files.delete(dir.resolve("logits.npy"));
    GoldenFixtureException e =
        assertThrows(GoldenFixtureException.class, () -> GoldenFixture.open(Arch.CVT, dir));
    assertTrue(e.getMessage().endsWith("found no [logits.npy]"), e.getMessage());
  }

  @Test
  void metadataWithoutChecksumsFails() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("cvt/a"));
    Files.writeString(dir.resolve("config.json"), "{\"input\": {}}");
    GoldenFixtureException e =
        assertThrows(GoldenFixtureException.class, () -> GoldenFixture.open(Arch.CVT, dir));
    assertTrue(e.getMessage().contains("files_sha256: expected a map of file name to sha256,"
        + " found no such field"), e.getMessage());
  }

  @Test
  void aHubFolderKeepsItsMetadataInGoldenJsonAndItsConfigJsonIsAListedFile() throws IOException {
    Path dir = writeCase(tmp, "hub", "golden.json",
        Map.of("config.json", "{\"architecture\": \"coatnet_rmlp_1_rw_224\"}",
            "model.safetensors", "w"), "\"case\": \"hub\"");
    GoldenFixture f = GoldenFixture.open(Arch.CVT, dir);
    assertEquals("golden.json", f.metadataFile());
    assertEquals("hub", f.metadata().get("case").asText());
    assertEquals("coatnet_rmlp_1_rw_224", f.json("config.json").get("architecture").asText());
  }

  @Test
  void casesAreListedByNameAndAFamilyWithoutCasesFails() throws IOException {
    writeCase(tmp, "b", "config.json", Map.of("input.npy", "x"), "");
    writeCase(tmp, "a", "config.json", Map.of("input.npy", "x"), "");
    Files.writeString(tmp.resolve("cvt").resolve(GoldenFixture.VARIANTS_JSON), "{\"v\": 1}");
    assertEquals(List.of("a", "b"),
        GoldenFixture.cases(tmp, Arch.CVT).stream().map(GoldenFixture::name).toList());
    assertEquals(1, GoldenFixture.variantsJson(tmp, Arch.CVT).get("v").asInt());
    assertThrows(GoldenFixtureException.class, () -> GoldenFixture.cases(tmp, Arch.CONTNET));
  }

  @Test
  void casesInsideAJarAreReadThroughTheZipFileSystem() throws IOException {
    Path src = tmp.resolve("src");
    writeCase(src.resolve("golden"), "a", "config.json", Map.of("input.npy", "x"), "");
    Path jar = tmp.resolve("fixtures.jar");
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()),
        Map.of("create", "true"))) {
      for (String f : List.of("config.json", "input.npy")) {
        Path to = zip.getPath("/golden/cvt/a/" + f);
        Files.createDirectories(to.getParent());
        Files.copy(src.resolve("golden/cvt/a/" + f), to);
      }
    }
    try (FileSystem zip = FileSystems.newFileSystem(jar)) {
      GoldenFixture f = GoldenFixture.cases(zip.getPath("/golden"), Arch.CVT).get(0);
      assertEquals("a", f.name());
      assertEquals("x", Files.readString(f.file("input.npy"), StandardCharsets.UTF_8));
    }
  }
}
