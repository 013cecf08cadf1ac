package io.tfhybrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.golden.GoldenFixture;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's demo checkpoints are resources of this artifact: one golden case per registered
 * family, readable from the classes directory and from a jar (copied out, every file still
 * matching its sha256).
 */
class QuickstartDemoTest {
  @TempDir Path tmp;

  @Test
  void everyFamilyHasADemoCaseInTheClassesAndInAJar() throws Exception {
    URL url = QuickstartCommand.class.getResource(QuickstartCommand.DEMO_RESOURCE);
    assertNotNull(url, "the build packages the demo cases");
    Path classes = QuickstartCommand.demoRoot(url, tmp.resolve("unused"));

    Path jar = tmp.resolve("tfhybrid-cli.jar");
    String prefix = QuickstartCommand.DEMO_RESOURCE.substring(1) + "/";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(prefix + classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    Path fromJar =
        QuickstartCommand.demoRoot(
            URI.create("jar:" + jar.toUri() + "!" + QuickstartCommand.DEMO_RESOURCE).toURL(),
            scratch);
    assertEquals(scratch, fromJar);

    for (Arch arch : Arch.values()) {
      for (Path root : List.of(classes, fromJar)) {
        List<GoldenFixture> cases = GoldenFixture.cases(root, arch);
        assertEquals(1, cases.size(), arch + " in " + root);
        GoldenFixture c = cases.get(0);
        for (String f : List.of("weights.pth", "input.npy", "logits.npy")) {
          assertFalse(Files.size(c.file(f)) == 0, c + " " + f);
        }
      }
    }
  }
}
