package io.tfhybrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's side of the safety policy: the allow-list opt-in and the OOM message. */
class SafetyCliTest {
  @TempDir Path tmp;

  /** A torch zip whose pickle builds a whole nn.Module (NEWOBJ + BUILD of torch.nn Conv2d). */
  private Path pickledModule() throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
    p.writeBytes("torch.nn.modules.conv\nConv2d\n".getBytes(StandardCharsets.US_ASCII));
    p.writeBytes(new byte[] {')', (byte) 0x81, '}', 'b', '.'});
    byte[] pickle = p.toByteArray();
    Path f = tmp.resolve("module.pth");
    try (OutputStream os = Files.newOutputStream(f);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      ZipEntry e = new ZipEntry("archive/data.pkl");
      e.setMethod(ZipEntry.STORED);
      e.setSize(pickle.length);
      CRC32 crc = new CRC32();
      crc.update(pickle);
      e.setCrc(crc.getValue());
      zip.putNextEntry(e);
      zip.write(pickle);
      zip.closeEntry();
    }
    return f;
  }

  @Test
  void aGlobalOutsideTheAllowListIsRefusedUnlessTheUserOptsIn() throws IOException {
    Path f = pickledModule();
    String out = tmp.resolve("out").toString();
    CliTest.Run refused = CliTest.run("convert", f.toString(), "--out", out);
    assertEquals(2, refused.status(), refused.toString());
    String line = errorLine(refused);
    assertTrue(
        line.startsWith("tfhybrid convert: error: Cannot read checkpoint 'module.pth' at byte 48"),
        refused.toString());
    assertTrue(
        line.endsWith(
                ": refuses global 'torch.nn.modules.conv.Conv2d': it is not on the allow-list"
                    + " (tensor and storage rebuilders, containers and inert data classes such as"
                    + " argparse.Namespace), and torch.load would import and call it, which can"
                    + " execute code; nothing from the file was run. To read the tensors anyway"
                    + " (still running nothing) pass --allow-unknown-globals"
                    + " (ReadOptions.withAllowUnknownGlobals(true))"),
        refused.toString());

    CliTest.Run optIn =
        CliTest.run("convert", f.toString(), "--out", out, "--allow-unknown-globals");
    assertEquals(2, optIn.status(), optIn.toString());
    assertTrue(
        errorLine(optIn)
            .startsWith(
                "tfhybrid convert: error: Cannot read checkpoint 'module.pth': expected a dict of"
                    + " tensors (a state dict) or a dict that holds one, found an object of"
                    + " 'torch.nn.modules.conv.Conv2d' (a whole pickled nn.Module?"),
        optIn.toString());
  }

  @Test
  void anOutputPathThroughAFileIsOneLineNamingIt() throws IOException {
    Path file = Files.write(tmp.resolve("a-file"), new byte[1]);
    CliTest.Run r =
        CliTest.run(
            "convert", pickledModule().toString(), "--out", file.resolve("m").toString());
    assertEquals(2, r.status(), r.toString());
    assertEquals(
        "tfhybrid convert: error: cannot write the SavedModel to '"
            + file.resolve("m")
            + "': Not a directory (a component of the path is a file, not a directory)",
        errorLine(r),
        r.toString());
  }

  /** The error line (stderr also carries the progress bar). */
  private static String errorLine(CliTest.Run r) {
    return r.err().lines().filter(l -> l.startsWith("tfhybrid convert: error: ")).findFirst()
        .orElse("");
  }

  @Test
  void runningOutOfMemoryIsOneLineThatSaysHowToRaiseTheHeap() {
    StringWriter err = new StringWriter();
    int status =
        Main.outOfMemory(
            new OutOfMemoryError("Java heap space"),
            new String[] {"--verbose=false", "convert", "big.pth"},
            new PrintWriter(err, true),
            false);
    assertEquals(Main.INTERNAL_ERROR, status);
    long maxMib = Runtime.getRuntime().maxMemory() >> 20;
    List<String> lines = err.toString().lines().toList();
    assertEquals(
        List.of(
            "tfhybrid convert: error: out of memory (Java heap space) with a Java heap limit of "
                + maxMib
                + " MiB",
            "hint: raise the heap with JAVA_OPTS=-Xmx"
                + Math.max(8, 2 * ((maxMib + 1023) >> 10))
                + "g (the launcher's default is -Xmx4g); a file that declares more than it holds"
                + " is refused by the read limits instead (-Dtfhybrid.read.expansionRatio)"),
        lines);
  }
}
