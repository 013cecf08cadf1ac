package io.tfhybrid.interop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The library artifact carries no command line: picocli is not in its dependency tree (so not on
 * its test class path, which holds every compile and runtime dependency), and no CLI class or
 * class-name list is in it.
 */
class LibraryArtifactTest {

  @Test
  void picocliIsNotInTheDependencyTree() throws Exception {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("picocli.CommandLine"));
    assertFalse(Files.readString(Path.of("pom.xml")).contains("picocli"), "interop/pom.xml");
  }

  @Test
  void noCommandLineOrClassNamesInTheLibrary() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("io.tfhybrid.cli.Main"));
    assertNull(getClass().getResource("/io/tfhybrid/cli/imagenet1k_classes.txt"));
    assertFalse(Files.isDirectory(Path.of("src/main/java/io/tfhybrid/interop/cli")));
  }
}
