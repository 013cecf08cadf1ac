package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using the library" program, exactly as the README shows it (the build copies
 * README.md into the test resources): compiled with the JDK's compiler against this module's class
 * path, then run on a golden case, whose reference logits it must verify.
 */
class ReadmeExampleTest {
  @TempDir Path tmp;

  /** The first ```java block after the "## Using the library" heading. */
  static String example() throws IOException {
    String readme;
    try (var in = ReadmeExampleTest.class.getResourceAsStream("/README.md")) {
      assertTrue(in != null, "README.md is not in the test resources");
      readme = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int section = readme.indexOf("\n## Using the library\n");
    assertTrue(section >= 0, "README.md has no 'Using the library' section");
    Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(m.find(section), "no java block in 'Using the library'");
    return m.group(1);
  }

  @Test
  void theReadmeProgramLoadsRunsExportsAndVerifies() throws Exception {
    String source = example();
    Path src = tmp.resolve("src/Example.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of("-classpath", classPath, "-d", classes.toString(), "-Xlint:all", "-Werror"),
                null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjects(src.toFile()))
            .call();
    assertTrue(compiled, "the README example does not compile:\n" + diagnostics);

    GoldenCase c = GoldenCase.named(Arch.CONV2FORMER, "b1_k7_75x98");
    c.verifyChecksums();
    Path out = tmp.resolve("exported/c2f");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("Example").getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(
          null,
          (Object)
              new String[] {
                c.weights(Format.PTH).toString(),
                c.dir().resolve("input.npy").toString(),
                c.dir().resolve("logits.npy").toString(),
                out.toString()
              });
    } finally {
      System.setOut(stdout);
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertTrue(text.contains("model conv2former_inferred (Conv2Former)\n"), text);
    assertTrue(text.contains("  why: kernel_size=7: "), text);
    long[] refShape = GoldenCase.npy(c.dir().resolve("logits.npy")).shape();
    assertTrue(text.contains("logits " + java.util.Arrays.toString(refShape) + "\n"), text);
    assertTrue(Files.isRegularFile(out.resolve("1/saved_model.pb")), text);
    assertTrue(text.contains("exported " + out.resolve("1") + "\n"), text);
    assertTrue(text.endsWith("verified\n"), text);
    assertEquals(1, text.lines().filter(l -> l.startsWith("logits max |Δ| ")).count(), text);
  }
}
