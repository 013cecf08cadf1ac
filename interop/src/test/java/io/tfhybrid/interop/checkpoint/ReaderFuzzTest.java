package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of every checkpoint reader with Jazzer. In the default {@code mvn verify}
 * (Jazzer's regression mode) it runs every file of {@code
 * src/test/resources/io/tfhybrid/interop/checkpoint/ReaderFuzzTestInputs/readAnyFormat/}: seeds of
 * every format and the minimised reproducers of each bug class of issue 14. A long coverage-guided
 * run: {@code JAZZER_FUZZ=1 mvn -pl interop -am test -Dtest=ReaderFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (see README, "Safety").
 */
@Tag("fuzz")
class ReaderFuzzTest {
  private static Path dir;
  private static FuzzTarget target;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Files.createTempDirectory("reader-fuzz");
    target = new FuzzTarget(dir);
  }

  @AfterAll
  static void tearDown() throws Exception {
    target.close();
    Files.deleteIfExists(dir.resolve("case.bin"));
    Files.deleteIfExists(dir);
  }

  @FuzzTest(maxDuration = "5m")
  void readAnyFormat(byte[] data) throws Exception {
    assertNull(target.run(data), "the reader broke its contract");
  }
}
