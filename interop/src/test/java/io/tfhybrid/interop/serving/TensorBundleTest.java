package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import io.tfhybrid.nn.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle reader on crafted bad copies of a real TF2 checkpoint (half_plus_two, written by
 * Python TensorFlow): every malformation is a {@link CheckpointFormatException} naming the file and
 * the byte offset, never a JDK exception.
 */
class TensorBundleTest {
  static final Path VARIABLES =
      SavedModelImportTest.MODELS.resolve("saved_model_half_plus_two_tf2_cpu/00000123/variables");

  @TempDir Path tmp;

  /** A copy of the checkpoint with these index bytes. */
  private Path copyWithIndex(byte[] index) throws IOException {
    Files.write(tmp.resolve("variables.index"), index);
    Files.copy(VARIABLES.resolve("variables.data-00000-of-00001"),
        tmp.resolve("variables.data-00000-of-00001"), StandardCopyOption.REPLACE_EXISTING);
    return tmp.resolve("variables.index");
  }

  private static byte[] index() throws IOException {
    return Files.readAllBytes(VARIABLES.resolve("variables.index"));
  }

  /** The footer's index block handle: {offset, size}. */
  private static int[] indexBlock(byte[] f) {
    int[] pos = {f.length - 48};
    varint(f, pos);
    varint(f, pos);
    return new int[] {(int) varint(f, pos), (int) varint(f, pos)};
  }

  private static long varint(byte[] b, int[] pos) {
    long r = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[pos[0]++] & 0xff;
      r |= (long) (x & 0x7f) << shift;
      if (x < 0x80) {
        return r;
      }
    }
  }

  /** Rewrites the masked CRC32C of the block at {@code offset} (over its bytes and type byte). */
  private static void refreshCrc(byte[] f, int offset, int size) {
    int crc = TfRecords.maskedCrc32c(f, offset, size + 1);
    ByteBuffer.wrap(f, offset + size + 1, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc);
  }

  /** The first data block's handle {offset, size}, read from the (uncompressed) index block. */
  private static int[] dataBlock(byte[] f) {
    int[] h = indexBlock(f);
    int[] pos = {h[0]};
    varint(f, pos); // shared
    int nonShared = (int) varint(f, pos);
    varint(f, pos); // value length
    pos[0] += nonShared;
    return new int[] {(int) varint(f, pos), (int) varint(f, pos)};
  }

  @Test
  void theRealIndexReadsThroughItsSnappyCompressedDataBlock() throws IOException {
    byte[] f = index();
    int[] d = dataBlock(f);
    assertEquals(1, f[d[0] + d[1]], "Python TensorFlow compressed this data block with snappy");
    TensorBundle.Index idx = TensorBundle.readIndex(VARIABLES.resolve("variables.index"));
    List<String> keys = idx.entries().stream().map(TensorBundle.Entry::key).toList();
    assertTrue(keys.containsAll(List.of("a/.ATTRIBUTES/VARIABLE_VALUE",
        "b/.ATTRIBUTES/VARIABLE_VALUE")), keys.toString());
  }

  @Test
  void anUnknownCompressionTypeIsACheckpointErrorAtTheBlocksTypeByte() throws IOException {
    byte[] f = index();
    int[] d = dataBlock(f);
    f[d[0] + d[1]] = 2;
    refreshCrc(f, d[0], d[1]);
    Path bad = copyWithIndex(f);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> TensorBundle.readIndex(bad));
    assertEquals(bad, e.file());
    assertEquals("Cannot read checkpoint 'variables.index' at byte " + (d[0] + d[1])
        + ": block of " + d[1] + " bytes: expected compression type 0 (none) or 1 (snappy),"
        + " found 2", e.getMessage());
  }

  @Test
  void malformedSnappyIsACheckpointErrorNamingTheFileAndOffset() {
    Path f = Path.of("x.index");
    // Declared length 5, literal "abc", then a 4-byte copy from 7 back: before the output start.
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
        () -> TensorBundle.snappy(f, new byte[] {5, 0x08, 'a', 'b', 'c', 0x01, 0x07}));
    assertEquals("Cannot read checkpoint 'x.index' at byte 5: snappy copy of 4 bytes from 7 back"
        + " at output byte 3: expected a distance of 1..3 and at most 2 bytes", e.getMessage());
    // A literal longer than the input.
    e = assertThrows(CheckpointFormatException.class,
        () -> TensorBundle.snappy(f, new byte[] {9, 0x20, 'a'}));
    assertTrue(e.getMessage().contains("snappy literal of 9 bytes: expected at most 1"),
        e.getMessage());
    // A declared length far beyond what the block can expand to: no allocation.
    e = assertThrows(CheckpointFormatException.class,
        () -> TensorBundle.snappy(f, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}));
    assertTrue(e.getMessage().contains("expected a decompressed length of at most 88"),
        e.getMessage());
    // Fewer bytes than declared.
    e = assertThrows(CheckpointFormatException.class,
        () -> TensorBundle.snappy(f, new byte[] {4, 0x04, 'a', 'b'}));
    assertTrue(e.getMessage().endsWith("expected 4 decompressed bytes, found 2"), e.getMessage());
    assertArrayEquals("abcabca".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        assertDoesNotThrow(() -> TensorBundle.snappy(f, new byte[] {7, 0x08, 'a', 'b', 'c',
            0x01, 0x03})));
  }

  @Test
  void everyCorruptionOfTheSnappyDataBlockIsACheckpointErrorOrStillReads() throws IOException {
    assertCorruptionsAreCheckpointErrors(dataBlock(index()));
  }

  @Test
  void aTruncatedIndexOrABadCrcIsACheckpointError() throws IOException {
    byte[] f = index();
    Path shortFile = copyWithIndex(Arrays.copyOf(f, 20));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> TensorBundle.readIndex(shortFile));
    assertTrue(e.getMessage().contains("found a 20-byte file"), e.getMessage());

    int[] h = indexBlock(f);
    f[h[0]] ^= 0x40; // no CRC refresh
    Files.write(shortFile, f);
    e = assertThrows(CheckpointFormatException.class, () -> TensorBundle.readIndex(shortFile));
    assertEquals(h[0], e.byteOffset());
    assertTrue(e.getMessage().contains("expected masked CRC32C"), e.getMessage());
  }

  @Test
  void everyCorruptionOfTheIndexBlockIsACheckpointErrorOrStillReads() throws IOException {
    assertCorruptionsAreCheckpointErrors(indexBlock(index()));
  }

  /** Flips bits of every byte of the block {@code h}, keeps its CRC valid, reads the index. */
  private void assertCorruptionsAreCheckpointErrors(int[] h) throws IOException {
    byte[] original = index();
    int errors = 0;
    for (int i = h[0]; i < h[0] + h[1]; i++) {
      for (int flip : new int[] {0x01, 0x80, 0xff}) {
        byte[] f = original.clone();
        f[i] ^= (byte) flip;
        refreshCrc(f, h[0], h[1]);
        Path p = copyWithIndex(f);
        try {
          TensorBundle.readIndex(p);
        } catch (CheckpointFormatException expected) {
          assertEquals(p, expected.file());
          assertTrue(expected.byteOffset() >= 0 && expected.byteOffset() < f.length,
              expected.getMessage());
          errors++;
        } catch (RuntimeException | IOException other) {
          fail("byte " + i + " ^ " + flip + ": " + other, other);
        }
      }
    }
    assertTrue(errors > 0, "some corruption was detected");
  }

  @Test
  void aTruncatedShardOrAWrongSizeIsACheckpointErrorWhenATensorIsRead() throws IOException {
    Path index = copyWithIndex(index());
    TensorBundle.Index idx = TensorBundle.readIndex(index);
    TensorBundle.Entry e = idx.entries().stream()
        .filter(x -> x.proto().getSize() > 0 && x.proto().getDtypeValue() == 1)
        .findFirst().orElseThrow();
    Path prefix = tmp.resolve("variables");
    Path shard = tmp.resolve("variables.data-00000-of-00001");
    TensorBundle.read(prefix, idx, e, DType.F32);

    Files.write(shard, Arrays.copyOf(Files.readAllBytes(shard),
        (int) (e.proto().getOffset() + e.proto().getSize() - 1)));
    CheckpointFormatException x = assertThrows(CheckpointFormatException.class,
        () -> TensorBundle.read(prefix, idx, e, DType.F32));
    assertEquals(shard, x.file());
    assertEquals(e.proto().getOffset(), x.byteOffset());
    assertTrue(x.getMessage().contains("inside the file"), x.getMessage());

    TensorBundle.Entry wrongSize = new TensorBundle.Entry(e.key(),
        e.proto().toBuilder().setSize(e.proto().getSize() + 4).build());
    x = assertThrows(CheckpointFormatException.class,
        () -> TensorBundle.read(prefix, idx, wrongSize, DType.F32));
    assertTrue(x.getMessage().contains("the index says " + (e.proto().getSize() + 4)),
        x.getMessage());
  }
}
