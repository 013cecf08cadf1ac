package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors files the test writes itself: one per validation rule of the reference reader. */
class SafetensorsReaderTest {
  @TempDir Path dir;

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\""
        + name
        + "\": {\"dtype\": \""
        + dtype
        + "\", \"shape\": "
        + shape
        + ", \"data_offsets\": ["
        + begin
        + ", "
        + end
        + "]}";
  }

  private Path write(String header, byte[] data) throws IOException {
    return TestFiles.safetensors(dir.resolve("t.safetensors"), header, data);
  }

  private CheckpointFormatException rejected(String header, byte[] data) throws IOException {
    Path f = write(header, data);
    return assertThrows(CheckpointFormatException.class, () -> SafetensorsReader.read(f));
  }

  @Test
  void readsValuesInHeaderOrderWithMetadata() throws IOException {
    byte[] data =
        ByteBuffer.allocate(8 + 8 + 2)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(1.5f)
            .putFloat(-2f)
            .putLong(42)
            .putShort((short) 0x3c00)
            .array();
    String header =
        "{\"__metadata__\": {\"format\": \"pt\", \"note\": \"x\"}, "
            + entry("zeta", "F32", "[2]", 0, 8)
            + ", "
            + entry("alpha", "I64", "[]", 8, 16)
            + ", "
            + entry("half", "F16", "[1, 1]", 16, 18)
            + ", "
            + entry("empty", "F32", "[0, 3]", 18, 18)
            + "}   ";
    Path f = write(header, data);
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of("zeta", "alpha", "half", "empty"), sd.keys(), "header order is kept");
    assertArrayEquals(new float[] {1.5f, -2f}, sd.get("zeta").toFloatArray());
    assertArrayEquals(new long[] {42}, sd.get("alpha").toLongArray());
    assertArrayEquals(new long[0], sd.get("alpha").shape());
    assertEquals(DType.F16, sd.get("half").dtype());
    assertArrayEquals(new float[] {1f}, sd.get("half").toFloatArray());
    assertArrayEquals(new long[] {0, 3}, sd.get("empty").shape());
    assertEquals(
        List.of(
            "safetensors file with metadata {format=pt, note=x}",
            "tensor dtypes: 1 torch.float16, 2 torch.float32, 1 torch.int64 (kept as stored;"
                + " floating-point ones become float32 when loaded into a model)"),
        sd.notes());
    SafetensorsReader.Header h = SafetensorsReader.readHeader(f);
    assertEquals(Map.of("format", "pt", "note", "x"), h.metadata());
    assertEquals(8 + header.length(), h.dataStart());
    assertEquals("'zeta' torch.float32[2] at [0, 8]", h.tensors().get(0).toString());
  }

  @Test
  void overlappingOffsetsAreRejected() throws IOException {
    CheckpointFormatException e =
        rejected(
            "{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("b", "F32", "[2]", 4, 12) + "}",
            new byte[12]);
    assertEquals(
        "tensor 'b' (data_offsets [4, 12]) overlaps tensor 'a' (data_offsets [0, 8]); expected each"
            + " byte to belong to one tensor",
        e.detail());
  }

  @Test
  void gapsAreRejected() throws IOException {
    CheckpointFormatException e =
        rejected(
            "{" + entry("b", "F32", "[2]", 12, 20) + ", " + entry("a", "F32", "[2]", 0, 8) + "}",
            new byte[20]);
    assertEquals(
        "gap of 4 bytes in the data section before tensor 'b' (data_offsets [12, 20]): 'a' ends at"
            + " 8; expected the tensors to tile the data section",
        e.detail());
    CheckpointFormatException first =
        rejected("{" + entry("a", "F32", "[1]", 4, 8) + "}", new byte[8]);
    assertTrue(first.detail().contains("the first tensor should begin at 0"), first.detail());
  }

  @Test
  void uncoveredTrailingDataIsRejected() throws IOException {
    CheckpointFormatException e =
        rejected("{" + entry("a", "F32", "[2]", 0, 8) + "}", new byte[12]);
    assertEquals(
        "the data section holds 12 bytes, but the tensors cover only 8 (the last, 'a', ends at 8);"
            + " expected them to cover it exactly",
        e.detail());
  }

  @Test
  void badJsonIsRejected() throws IOException {
    CheckpointFormatException e = rejected("{\"a\": {\"dtype\": \"F32\", ", new byte[0]);
    assertTrue(e.detail().startsWith("the header is not valid JSON: "), e.detail());
    CheckpointFormatException notObject = rejected("[1, 2]", new byte[0]);
    assertTrue(
        notObject.detail().startsWith("the header must be a JSON object starting with '{'"),
        notObject.detail());
    CheckpointFormatException trailing = rejected("{} {}", new byte[0]);
    assertTrue(trailing.detail().startsWith("the header is not valid JSON: "), trailing.detail());
    CheckpointFormatException dup =
        rejected(
            "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("a", "F32", "[1]", 0, 4) + "}",
            new byte[4]);
    assertTrue(dup.detail().contains("Duplicate field 'a'"), dup.detail());
  }

  @Test
  void headerLongerThanTheFileIsRejected() throws IOException {
    Path f = dir.resolve("h.safetensors");
    Files.write(
        f,
        ByteBuffer.allocate(50)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(1000)
            .put((byte) '{')
            .array());
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "Cannot read checkpoint 'h.safetensors' at byte 0: header length 1000 exceeds what the file"
            + " holds (50 bytes, so at most 42); nothing was allocated for it",
        e.getMessage());
    Files.write(f, new byte[] {1, 0, 0});
    CheckpointFormatException tiny =
        assertThrows(CheckpointFormatException.class, () -> SafetensorsReader.read(f));
    assertEquals(
        "truncated: the file is 3 bytes; a safetensors file starts with an 8-byte header length",
        tiny.detail());
  }

  @Test
  void negativeDimensionIsRejected() throws IOException {
    CheckpointFormatException e =
        rejected("{" + entry("a", "F32", "[-1, 2]", 0, 0) + "}", new byte[0]);
    assertEquals(
        "tensor 'a' has shape [-1, 2]; expected non-negative integers, found -1", e.detail());
    CheckpointFormatException fraction =
        rejected("{" + entry("a", "F32", "[1.0]", 0, 4) + "}", new byte[4]);
    assertEquals(
        "tensor 'a' has shape [1.0]; expected non-negative integers, found 1.0", fraction.detail());
  }

  @Test
  void wrongByteCountIsRejected() throws IOException {
    CheckpointFormatException e = rejected("{" + entry("a", "F32", "[3]", 0, 8) + "}", new byte[8]);
    assertEquals(
        "tensor 'a' (F32 [3]) needs 12 bytes, but its data_offsets [0, 8] hold 8", e.detail());
    assertEquals(8 + ("{" + entry("a", "F32", "[3]", 0, 8) + "}").length(), e.byteOffset());
  }

  @Test
  void reversedOffsetsAreRejected() throws IOException {
    CheckpointFormatException e = rejected("{" + entry("a", "F32", "[1]", 8, 4) + "}", new byte[8]);
    assertEquals("tensor 'a' has data_offsets [8, 4]; expected begin <= end", e.detail());
  }

  @Test
  void metadataMustMapStringsToStrings() throws IOException {
    CheckpointFormatException e = rejected("{\"__metadata__\": {\"epoch\": 3}}", new byte[0]);
    assertEquals("'__metadata__' must map strings to strings, found 'epoch': 3", e.detail());
  }

  @Test
  void dtypesOutsideTheListAreNamed() throws IOException {
    CheckpointFormatException unknown =
        rejected("{" + entry("w", "F99", "[1]", 0, 4) + "}", new byte[4]);
    assertEquals(
        "tensor 'w' has unknown dtype 'F99'; expected one of [F64, F32, F16, BF16, I64, I32, I16,"
            + " I8, U8, BOOL]",
        unknown.detail());
    CheckpointFormatException unsupported =
        rejected("{" + entry("w", "U16", "[1]", 0, 2) + "}", new byte[2]);
    assertTrue(
        unsupported
            .detail()
            .startsWith(
                "tensor 'w' has dtype 'U16', a valid safetensors dtype this reader does not"
                    + " support"),
        unsupported.detail());
  }

  @Test
  void headerMustBeUtf8() throws IOException {
    Path f = dir.resolve("u.safetensors");
    byte[] header = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
    Files.write(
        f,
        ByteBuffer.allocate(8 + header.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(header.length)
            .put(header)
            .array());
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> SafetensorsReader.read(f));
    assertEquals("the header is not valid UTF-8", e.detail());
    assertEquals(10, e.byteOffset());
  }

  @Test
  void aHeaderOfManyEmptyTensorsIsBoundedByTheDataItDescribes() throws IOException {
    // The file: 200,000 empty tensors in an 11.7 MB header took 421 MB. Here 100 of them
    // against a 64 KiB base limit: 2 × 5.4 KB of header text, then 1 KiB per entry: 53 fit.
    StringBuilder h = new StringBuilder("{");
    for (int i = 0; i < 100; i++) {
      h.append(i == 0 ? "" : ",")
          .append("\"t")
          .append(i)
          .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
    }
    Path f = TestFiles.safetensors(dir.resolve("empty.safetensors"), h.append('}').toString(), new byte[0]);
    ReadLimits tight = new ReadLimits(64 << 10, 16);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> SafetensorsReader.read(f, tight));
    assertEquals(
        "the header lists more than 53 tensors, which would take more memory than the read limit"
            + " of 0.1 MiB + 16 × the data section (0 bytes) = 0.1 MiB allows (a header of many"
            + " empty tensors is a memory bomb); "
            + ReadLimits.howToRaise(),
        e.detail());
    assertEquals(100, SafetensorsReader.read(f).keys().size(), "the default limits read it");
  }
}
