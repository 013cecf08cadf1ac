package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every fixture of every family is present and byte-identical to what its config.json records. */
class FixtureIntegrityTest {

  @ParameterizedTest
  @EnumSource(Arch.class)
  void everyCaseMatchesItsChecksums(Arch arch) throws Exception {
    long n = GoldenCase.all(arch).peek(GoldenCase::verifyChecksums).count();
    assertTrue(n >= 3, arch + ": expected at least 3 golden cases, found " + n);
    assertTrue(Files.isRegularFile(GoldenCase.resourceDir("/golden/" + arch.id()).resolve("variants.json")));
  }

  @ParameterizedTest
  @EnumSource(Arch.class)
  void everyFileOfACaseIsChecksummedOrConfig(Arch arch) throws Exception {
    for (GoldenCase c : GoldenCase.all(arch).toList()) {
      try (Stream<Path> files = Files.list(c.dir())) {
        for (Path f : files.toList()) {
          String name = f.getFileName().toString();
          if (!name.equals("config.json")) {
            assertTrue(c.config().get("files_sha256").has(name), c + ": " + name + " has no sha256");
          }
        }
      }
      assertEquals(c.config().get("files_sha256").size() + 1L, Files.list(c.dir()).count(),
          c + ": file count");
    }
  }

  @org.junit.jupiter.api.Test
  void checksumIsRealSha256() throws Exception {
    Path tmp = Files.createTempFile("sha", ".bin");
    Files.writeString(tmp, "abc");
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        GoldenCase.sha256(tmp));
    Files.delete(tmp);
  }
}
