package io.tfhybrid.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tfhybrid.interop.serving.ExportEnvironmentException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong destination fails before the checkpoint is read: the checkpoint here is a file that is
 * not a checkpoint at all, so any error but the destination's would show it was read first.
 */
class ExportDestinationTest {
  @TempDir Path tmp;

  private Path notACheckpoint() throws IOException {
    return Files.writeString(tmp.resolve("weights.pth"), "not a checkpoint");
  }

  @Test
  void anExistingVersionWithoutOverwriteFailsBeforeReading() throws IOException {
    Path models = tmp.resolve("models/m");
    Files.createDirectories(models.resolve("3"));
    Path ckpt = notACheckpoint();
    FileAlreadyExistsException e =
        assertThrows(
            FileAlreadyExistsException.class,
            () ->
                TfHybrid.convert(
                    ckpt, models, LoadOptions.defaults(), ExportOptions.defaults().withVersion(3L)));
    assertEquals(models.resolve("3").toString(), e.getFile());
    assertTrue(e.getMessage().contains("--overwrite replaces it"), e.getMessage());
    // With --overwrite, or the next version, the destination is fine (and nothing is created).
    TfHybrid.checkExportDestination(models, ExportOptions.defaults().withVersion(3L).withOverwrite(true));
    TfHybrid.checkExportDestination(models, ExportOptions.defaults());
    TfHybrid.checkExportDestination(tmp.resolve("new/deeper/m"), ExportOptions.defaults());
    try (Stream<Path> left = Files.list(models)) {
      assertEquals(List.of(models.resolve("3")), left.toList());
    }
    assertTrue(Files.notExists(tmp.resolve("new")));
  }

  @Test
  void anOutThatIsAFileOrGoesThroughOneFailsBeforeReading() throws IOException {
    Path ckpt = notACheckpoint();
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    for (Path out : List.of(file, file.resolve("m"), file.resolve("m/deeper"))) {
      ExportEnvironmentException e =
          assertThrows(
              ExportEnvironmentException.class,
              () ->
                  TfHybrid.convert(ckpt, out, LoadOptions.defaults(), ExportOptions.defaults()));
      assertEquals(
          "cannot write the SavedModel to '"
              + out
              + "': Not a directory (a component of the path is a file, not a directory)",
          e.getMessage());
      assertEquals(
          file.toAbsolutePath().toString(), ((NotDirectoryException) e.getCause()).getFile());
    }
  }

  @Test
  void anUnwritableOutFailsBeforeReading() throws IOException {
    Path ckpt = notACheckpoint();
    Path locked = Files.createDirectory(tmp.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    // root writes anyway; the sysfs of a container is read-only even for root.
    Path dir = canCreateIn(locked) ? Path.of("/sys") : locked;
    assumeTrue(!canCreateIn(dir), "a directory this user cannot write to");
    Path out = dir.resolve("tfhybrid-models/m");
    AccessDeniedException e =
        assertThrows(
            AccessDeniedException.class,
            () -> TfHybrid.convert(ckpt, out, LoadOptions.defaults(), ExportOptions.defaults()));
    assertEquals(dir.toAbsolutePath().toString(), e.getFile());
    assertTrue(e.getMessage().contains("cannot create files in it to export"), e.getMessage());
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static boolean canCreateIn(Path dir) {
    try {
      Files.delete(Files.createTempFile(dir, ".probe-", ""));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
