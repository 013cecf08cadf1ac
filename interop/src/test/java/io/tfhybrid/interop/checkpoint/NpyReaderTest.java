package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy and .npz files the test writes itself. */
class NpyReaderTest {
  @TempDir Path dir;

  private Path npy(String name, String dict, byte[] data) throws IOException {
    return Files.write(dir.resolve(name), TestFiles.npy(dict, data));
  }

  @Test
  void fortranOrderIsTransposedToCOrder() throws IOException {
    // A 2x3 array [[0, 1, 2], [3, 4, 5]] stored column by column.
    Path f =
        npy(
            "f.npy",
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
            TestFiles.floats(0, 3, 1, 4, 2, 5));
    HostTensor t = NpyReader.readArray(f);
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toFloatArray());
    StateDict sd = NpyReader.read(f);
    assertEquals(
        List.of(
            "numpy .npy array, returned under the key 'f'",
            "transposed fortran_order array 'f.npy' [2, 3] to C order"),
        sd.notes());

    // 2x3x2, element (i, j, k) = 100i + 10j + k, in Fortran order (i fastest).
    float[] fortran = new float[12];
    int n = 0;
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 3; j++) {
        for (int i = 0; i < 2; i++) {
          fortran[n++] = 100 * i + 10 * j + k;
        }
      }
    }
    Path g =
        npy(
            "g.npy",
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 2), }",
            TestFiles.floats(fortran));
    assertArrayEquals(
        new float[] {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121},
        NpyReader.readArray(g).toFloatArray());
  }

  @Test
  void objectArraysAreAlwaysRejected() throws IOException {
    Path f =
        npy(
            "o.npy",
            "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
            new PickleWriter().proto(2).none().stop().bytes());
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "Cannot read checkpoint 'o.npy' at byte 10: refuses an object array (dtype '|O'): numpy"
            + " stores those as pickles, which could run code; expected a numeric dtype",
        e.getMessage());
  }

  @Test
  void npzHoldsOneArrayPerEntry() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(
        "conv.weight.npy",
        TestFiles.npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
            TestFiles.floats(1, 2, 3, 4)));
    entries.put(
        "bn.num_batches_tracked.npy",
        TestFiles.npy(
            "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", TestFiles.longs(9)));
    Path stored = TestFiles.storedZip(dir.resolve("w.npz"), entries);
    Path deflated = TestFiles.deflatedZip(dir.resolve("wc.npz"), entries);
    for (Path f : List.of(stored, deflated)) {
      assertEquals(Checkpoints.Format.NPZ, Checkpoints.detect(f));
      StateDict sd = Checkpoints.read(f);
      assertEquals(List.of("conv.weight", "bn.num_batches_tracked"), sd.keys());
      assertArrayEquals(new float[] {1, 2, 3, 4}, sd.get("conv.weight").toFloatArray());
      assertEquals(DType.I64, sd.get("bn.num_batches_tracked").dtype());
      assertArrayEquals(new long[] {9}, sd.get("bn.num_batches_tracked").toLongArray());
      assertEquals(List.of("numpy .npz archive of 2 arrays"), sd.notes());
      // Stored entries (np.savez) stay in the file until loaded; deflated ones are inflated.
      assertEquals(f == stored, sd.get("conv.weight").isLazy(), f.toString());
    }
  }

  @Test
  void npzEntriesMustBeArrays() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(
        "a.npy",
        TestFiles.npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", TestFiles.floats(1)));
    entries.put(
        "b.npy",
        TestFiles.npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", TestFiles.floats(1)));
    Path f = TestFiles.storedZip(dir.resolve("bad.npz"), entries);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> NpyReader.read(f));
    assertEquals(
        "truncated: the header promises 8 bytes of data (<f4 [2]) in entry 'b.npy', found 4",
        e.detail());
  }

  @Test
  void bigEndianIsConvertedToLittleEndian() throws IOException {
    byte[] be =
        ByteBuffer.allocate(12)
            .order(ByteOrder.BIG_ENDIAN)
            .putFloat(1.5f)
            .putFloat(-3f)
            .putFloat(1e-3f)
            .array();
    Path f = npy("be.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", be);
    StateDict sd = NpyReader.read(f);
    assertArrayEquals(new float[] {1.5f, -3f, 1e-3f}, sd.get("be").toFloatArray());
    assertFalse(sd.get("be").isLazy(), "swapped on the heap");
    assertTrue(
        sd.notes().contains("converted big-endian '>f4' of 'be.npy' to little-endian"),
        sd.notes().toString());
    byte[] bi =
        ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(-2).putLong(1L << 50).array();
    Path g = npy("bi.npy", "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", bi);
    assertArrayEquals(new long[] {-2, 1L << 50}, NpyReader.readArray(g).toLongArray());
  }

  @Test
  void writeRoundTripsAndMatchesNumpysHeader() throws IOException {
    HostTensor f32 = HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    Path f = dir.resolve("x.npy");
    NpyReader.write(f, f32);
    byte[] bytes = Files.readAllBytes(f);
    int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLength) % 64, "numpy aligns the data to 64 bytes");
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
    assertTrue(header.endsWith("\n"));
    assertTrue(f32.contentEquals(NpyReader.readArray(f)));

    HostTensor i64 = HostTensor.ofLongs(new long[] {3}, new long[] {-1, 0, Long.MAX_VALUE});
    NpyReader.write(f, i64);
    assertTrue(
        new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
            .contains("'shape': (3,), }"));
    assertTrue(i64.contentEquals(NpyReader.readArray(f)));

    HostTensor scalar = HostTensor.ofLongs(new long[0], new long[] {5});
    NpyReader.write(f, scalar);
    assertTrue(
        new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("'shape': (), }"));
    assertTrue(scalar.contentEquals(NpyReader.readArray(f)));

    HostTensor bf16 = HostTensor.of(DType.BF16, new long[] {1}, ByteBuffer.allocate(2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NpyReader.write(f, bf16));
    assertTrue(
        e.getMessage()
            .startsWith("cannot write torch.bfloat16[1] to 'x.npy': numpy has no bfloat16"),
        e.getMessage());
  }

  @Test
  void version2HeadersAreRead() throws IOException {
    byte[] v1 =
        TestFiles.npy(
            "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", new byte[] {1, 0, -1, -1});
    int hl = (v1[8] & 0xff) | (v1[9] & 0xff) << 8;
    ByteBuffer v2 = ByteBuffer.allocate(v1.length + 2).order(ByteOrder.LITTLE_ENDIAN);
    v2.put(v1, 0, 6).put((byte) 2).put((byte) 0).putInt(hl).put(v1, 10, v1.length - 10);
    Path f = Files.write(dir.resolve("v2.npy"), v2.array());
    HostTensor t = NpyReader.readArray(f);
    assertEquals(DType.I16, t.dtype());
    assertArrayEquals(new long[] {1, -1}, t.toLongArray());
  }

  @Test
  void malformedHeadersAreRejected() throws IOException {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "{'descr': '<f4', 'shape': (1,), }",
        "malformed .npy header: expected exactly the keys 'descr', 'fortran_order' and 'shape',"
            + " found [descr, shape]");
    cases.put(
        "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }",
        "unsupported .npy dtype '<u2'; expected one of <f4 <f8 <f2 <i8 <i4 <i2 |i1 |u1 |b1 (or"
            + " their big-endian '>' forms)");
    cases.put(
        "{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }",
        "malformed .npy header: 'fortran_order' must be True or False, found 'no'");
    cases.put(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
        "malformed .npy header: 'shape' must hold non-negative ints, found (-1,)");
    cases.put(
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
        "unsupported .npy dtype [('a', '<f4')]: structured dtypes are not supported");
    cases.put(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
        "malformed .npy header at character 118: expected ',' or '}' in the dict, found the end of"
            + " the header");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Path f = npy("m.npy", c.getKey(), TestFiles.floats(1));
      CheckpointFormatException e =
          assertThrows(CheckpointFormatException.class, () -> NpyReader.read(f), c.getKey());
      assertTrue(e.detail().startsWith(c.getValue()), "for " + c.getKey() + ": " + e.detail());
    }
    Path bad =
        Files.write(
            dir.resolve("v9.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0});
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> NpyReader.readArray(bad));
    assertEquals(".npy format version 9.0; expected 1.0, 2.0 or 3.0", e.detail());
    byte[] longHeader =
        TestFiles.npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", TestFiles.floats(1));
    Path cut = Files.write(dir.resolve("cut.npy"), Arrays.copyOf(longHeader, 40));
    CheckpointFormatException t =
        assertThrows(CheckpointFormatException.class, () -> NpyReader.readArray(cut));
    assertEquals("truncated: the .npy header needs 118 bytes, but only 30 remain", t.detail());
  }
}
