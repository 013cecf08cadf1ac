package io.tfhybrid.interop.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.SafetensorsFiles;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's tensors stay in its file until they are written into the variables; a file that
 * changed in between is a {@link CheckpointFormatException} naming it, the offset and the tensor,
 * never other weights loaded silently.
 */
class LazyCheckpointTest {
  @TempDir Path dir;

  private Path tiny() throws IOException {
    Path f = dir.resolve("tiny.safetensors");
    SafetensorsFiles.write(f, WeightLoaderTest.good());
    return f;
  }

  @Test
  void tensorsStayInTheFileUntilTheyAreLoaded() throws IOException {
    StateDict sd = Checkpoints.read(tiny());
    assertTrue(sd.asMap().values().stream().allMatch(HostTensor::isLazy), sd.toString());
    try (BuiltModel m = BuiltModel.build("tiny", new WeightLoaderTest.Tiny(), 1, 1)) {
      WeightLoader.load(m, sd);
      assertArrayEquals(new float[] {15, 30}, WeightLoaderTest.logits(m), 1e-6f);
    }
  }

  @Test
  void aFileCutShortAfterItWasReadFailsTheLoad() throws IOException {
    Path f = tiny();
    StateDict sd = Checkpoints.read(f);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 4);
    }
    CheckpointFormatException e = loadFails(sd);
    assertEquals(f, e.file());
    assertTrue(e.byteOffset() > 0, e.getMessage());
    assertTrue(e.detail().startsWith("the file changed after it was read ("), e.detail());
    // The first tensor read names itself: here the computed buffer the check compares.
    assertTrue(e.detail().contains("so tensor 'index' cannot be loaded from it"), e.detail());
  }

  @Test
  void aFileReplacedAfterItWasReadIsNotLoadedSilently() throws IOException {
    Path f = tiny();
    StateDict sd = Checkpoints.read(f);
    FileTime before = Files.getLastModifiedTime(f);
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length - 1] ^= 1; // same size, other bytes
    Files.write(f, bytes);
    Files.setLastModifiedTime(f, FileTime.fromMillis(before.toMillis() + 2000));
    CheckpointFormatException e = loadFails(sd);
    assertTrue(e.detail().contains("the file changed after it was read"), e.detail());
  }

  @Test
  void aDeletedFileIsACheckpointFormatExceptionToo() throws IOException {
    Path f = tiny();
    StateDict sd = Checkpoints.read(f);
    Files.delete(f);
    CheckpointFormatException e = loadFails(sd);
    assertTrue(e.detail().startsWith("I/O error while reading tensor 'index'"), e.detail());
  }

  private static CheckpointFormatException loadFails(StateDict sd) {
    try (BuiltModel m = BuiltModel.build("tiny", new WeightLoaderTest.Tiny(), 1, 1)) {
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> WeightLoader.load(m, sd));
      return assertInstanceOf(CheckpointFormatException.class, e.getCause());
    }
  }
}
