package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.golden.GoldenFixture;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every fixture of every family is present, lists every file it holds, and every file is
 * byte-identical to what its metadata records (the reader's policy, on the bundled cases).
 */
class FixtureIntegrityTest {

  @ParameterizedTest
  @EnumSource(Arch.class)
  void everyCaseMatchesItsChecksums(Arch arch) throws Exception {
    List<GoldenCase> cases = GoldenCase.all(arch).toList();
    assertTrue(cases.size() >= 3, arch + ": expected at least 3 golden cases, found " + cases);
    for (GoldenCase c : cases) {
      c.verifyChecksums();
      try (var files = Files.list(c.dir())) {
        assertEquals(c.fixture().checksums().size() + 1L, files.count(),
            c + ": every file but the metadata has a checksum");
      }
    }
    assertTrue(Files.isRegularFile(
        GoldenCase.root().resolve(arch.id()).resolve(GoldenFixture.VARIANTS_JSON)));
  }
}
