package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/** Torch checkpoints whose pickles the test writes by hand, opcode by opcode. */
class PthReaderTest {
  @TempDir Path dir;

  private static PickleWriter orderedDict() {
    return new PickleWriter()
        .proto(2)
        .global("collections", "OrderedDict")
        .emptyTuple()
        .reduce()
        .mark();
  }

  private Path zip(String name, PickleWriter pickle, Map<String, byte[]> storages)
      throws IOException {
    return TestFiles.torchZip(dir.resolve(name), pickle.bytes(), storages);
  }

  private static long[] dims(long... d) {
    return d;
  }

  @Test
  void storageOffsetsAndStridesGiveContiguousCopies() throws IOException {
    PickleWriter p = orderedDict();
    p.str("w")
        .tensor("FloatStorage", "0", 24, 2, dims(3, 4), dims(1, 5)); // w[i][j] = s[2 + i + 5j]
    p.str("v")
        .tensor("FloatStorage", "0", 24, 3, dims(2, 2), dims(2, 1)); // contiguous slice s[3..7)
    p.str("s")
        .tensor("FloatStorage", "0", 24, 7, dims(1, 3), dims(99, 1)); // size-1 dim: stride ignored
    p.str("p").global("torch._utils", "_rebuild_parameter").mark();
    p.tensor("FloatStorage", "0", 24, 0, dims(4), dims(6)).bool(true);
    p.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    p.str("b").tensor("FloatStorage", "0", 24, 5, dims(2, 3), dims(0, 1)); // broadcast rows
    p.setitems().stop();
    Path f = zip("strided.pth", p, Map.of("0", TestFiles.floats(TestFiles.iota(24))));

    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of("w", "v", "s", "p", "b"), sd.keys());
    assertArrayEquals(dims(3, 4), sd.get("w").shape());
    assertArrayEquals(
        new float[] {2, 7, 12, 17, 3, 8, 13, 18, 4, 9, 14, 19}, sd.get("w").toFloatArray());
    assertArrayEquals(new float[] {3, 4, 5, 6}, sd.get("v").toFloatArray());
    assertArrayEquals(new float[] {7, 8, 9}, sd.get("s").toFloatArray());
    assertArrayEquals(new float[] {0, 6, 12, 18}, sd.get("p").toFloatArray());
    assertArrayEquals(new float[] {5, 6, 7, 5, 6, 7}, sd.get("b").toFloatArray());
    assertEquals(List.of("PyTorch zip checkpoint (archive folder 'archive')"), sd.notes());
    // Contiguous views stay in the file (read when loaded); strided ones are copied now.
    assertEquals(
        List.of(false, true, true, false, false),
        sd.keys().stream().map(k -> sd.get(k).isLazy()).toList());
  }

  @Test
  void deflatedStoragesAreStreamedWhenLoadedWithinTheReadLimits() throws IOException {
    // Three views of one deflated storage of 4096 floats: each read inflates up to its end.
    PickleWriter p = orderedDict();
    p.str("a").tensor("FloatStorage", "0", 4096, 0, dims(4096), dims(1));
    p.str("b").tensor("FloatStorage", "0", 4096, 4000, dims(96), dims(1));
    p.str("c").tensor("FloatStorage", "0", 4096, 0, dims(4096), dims(1));
    p.setitems().stop();
    float[] values = TestFiles.iota(4096);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", p.bytes());
    entries.put("archive/data/0", TestFiles.floats(values));
    Path f = TestFiles.deflatedZip(dir.resolve("deflated.pth"), entries);
    StateDict sd = Checkpoints.read(f);
    assertTrue(sd.get("a").isLazy() && sd.get("b").isLazy(), "left in the file");
    assertArrayEquals(values, sd.get("a").toFloatArray());
    assertArrayEquals(Arrays.copyOfRange(values, 4000, 4096), sd.get("b").toFloatArray());

    // Loading may inflate again what the read limit allows: here one storage and a bit, so the
    // second full view is refused, naming the tensor and the limit.
    long fileSize = Files.size(f);
    ReadLimits tight = new ReadLimits(16384 + 8192 - fileSize, 1);
    StateDict limited = Checkpoints.read(f, ReadOptions.defaults().withLimits(tight));
    assertArrayEquals(values, limited.get("a").toFloatArray());
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> limited.get("c").toFloatArray());
    CheckpointFormatException c = (CheckpointFormatException) e.getCause();
    assertTrue(c.detail().startsWith("inflating tensor 'c' (entry 'archive/data/0', deflated)"
        + " (16384 bytes) exceeds what loading may inflate from this file"), c.detail());
  }

  @Test
  void float64AndInt64Tensors() throws IOException {
    PickleWriter p = orderedDict();
    p.str("d").tensor("DoubleStorage", "1", 3, 0, dims(3), dims(1));
    p.str("i").tensor("LongStorage", "2", 2, 0, dims(2), dims(1));
    p.str("n").tensor("LongStorage", "2", 2, 1, dims(), dims());
    p.setitems().stop();
    Path f =
        zip(
            "wide.pt",
            p,
            Map.of("1", TestFiles.doubles(0.1, -2.5, 1e300), "2", TestFiles.longs(1L << 40, -7)));

    StateDict sd = PthReader.read(f);
    assertEquals(DType.F64, sd.get("d").dtype());
    assertEquals(0.1, sd.get("d").data().getDouble(0));
    assertEquals(1e300, sd.get("d").data().getDouble(16));
    assertEquals(DType.I64, sd.get("i").dtype());
    assertArrayEquals(new long[] {1L << 40, -7}, sd.get("i").toLongArray());
    assertArrayEquals(new long[0], sd.get("n").shape());
    assertArrayEquals(new long[] {-7}, sd.get("n").toLongArray());
    assertTrue(
        sd.notes().get(1).startsWith("tensor dtypes: 1 torch.float64, 2 torch.int64"),
        sd.notes().toString());
  }

  @Test
  void untypedStoragesTakeTheirDtypeFromTheRebuildCall() throws IOException {
    PickleWriter p = orderedDict();
    // _rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype)
    p.str("h").global("torch._utils", "_rebuild_tensor_v3").mark();
    p.mark()
        .str("storage")
        .global("torch", "UntypedStorage")
        .str("u")
        .str("cpu")
        .integer(8)
        .tuple()
        .binpersid();
    p.integer(1)
        .ints(2)
        .ints(1)
        .bool(false)
        .global("collections", "OrderedDict")
        .emptyTuple()
        .reduce();
    p.global("torch", "float16").tuple().reduce();
    // A storage type given as a dtype global: ('storage', torch.int32, key, location, numel).
    p.str("k").global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark()
        .str("storage")
        .global("torch", "int32")
        .str("t")
        .str("cpu")
        .integer(2)
        .tuple()
        .binpersid();
    p.integer(0)
        .ints(2)
        .ints(1)
        .bool(false)
        .global("collections", "OrderedDict")
        .emptyTuple()
        .reduce();
    p.tuple().reduce();
    p.setitems().stop();
    byte[] halves =
        ByteBuffer.allocate(8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short) 0x0000)
            .putShort((short) 0x3c00)
            .putShort((short) 0xc000)
            .putShort((short) 0)
            .array();
    byte[] ints =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(5).putInt(-6).array();
    StateDict sd = PthReader.read(zip("untyped.pth", p, Map.of("u", halves, "t", ints)));
    assertEquals(DType.F16, sd.get("h").dtype());
    assertArrayEquals(new float[] {1f, -2f}, sd.get("h").toFloatArray());
    assertEquals(DType.I32, sd.get("k").dtype());
    assertArrayEquals(new long[] {5, -6}, sd.get("k").toLongArray());
  }

  @Test
  void optimizerStoragesAreNeverRead() throws IOException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("state_dict")
        .emptyDict()
        .mark()
        .str("w")
        .tensor("FloatStorage", "0", 2, 0, dims(2), dims(1))
        .setitems();
    // The optimizer's storage '99' has no entry in the archive: reading it would fail.
    p.str("optimizer")
        .emptyDict()
        .mark()
        .str("state")
        .emptyDict()
        .mark()
        .integer(0)
        .emptyDict()
        .mark();
    p.str("exp_avg").tensor("FloatStorage", "99", 1000, 0, dims(1000), dims(1));
    p.setitems().setitems().setitems();
    p.setitems().stop();
    Path f = zip("train.pth", p, Map.of("0", TestFiles.floats(1, 2)));
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of("w"), sd.keys());
    assertEquals(
        "used 'state_dict' of a wrapper dict with keys [state_dict, optimizer]", sd.notes().get(1));

    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class,
            () -> Checkpoints.read(f, ReadOptions.defaults().withStateKey("optimizer")));
    assertEquals(
        "'optimizer' (asked for with --state-key) is not a state dict: is a dict with 1 of 1"
            + " entries that are not string → tensor: 'state' (a dict with keys [0])",
        e.detail());
  }

  @Test
  void emaWeightsAreChosenByOption() throws IOException {
    // The shared timm file's EMA weights equal its regular ones byte for byte; here they differ.
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("state_dict")
        .emptyDict()
        .mark()
        .str("w")
        .tensor("FloatStorage", "0", 1, 0, dims(1), dims(1))
        .setitems();
    p.str("model_ema")
        .emptyDict()
        .mark()
        .str("module.w")
        .tensor("FloatStorage", "1", 1, 0, dims(1), dims(1))
        .setitems();
    p.setitems().stop();
    Path f = zip("ema.pth", p, Map.of("0", TestFiles.floats(1), "1", TestFiles.floats(2)));
    StateDict plain = Checkpoints.read(f);
    assertArrayEquals(new float[] {1}, plain.get("w").toFloatArray());
    assertTrue(
        plain
            .notes()
            .contains(
                "the file also holds EMA weights under 'model_ema'; ReadOptions.withEma() (--ema)"
                    + " reads those instead"));
    StateDict ema = Checkpoints.read(f, ReadOptions.defaults().withEma());
    assertArrayEquals(new float[] {2}, ema.get("w").toFloatArray());
    assertEquals(
        "used 'model_ema' (EMA weights, as asked) of a wrapper dict with keys [state_dict,"
            + " model_ema]",
        ema.notes().get(1));
  }

  @Test
  void nestedWrapperOneLevelDeep() throws IOException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("model").emptyDict().mark().str("state_dict").emptyDict().mark();
    p.str("module.w").tensor("FloatStorage", "0", 2, 0, dims(2), dims(1)).setitems();
    p.str("step").integer(3).setitems();
    p.setitems().stop();
    StateDict sd = Checkpoints.read(zip("nested.pth", p, Map.of("0", TestFiles.floats(1, 2))));
    assertEquals(List.of("w"), sd.keys());
    assertEquals(
        List.of(
            "PyTorch zip checkpoint (archive folder 'archive')",
            "used 'model' → 'state_dict' of a wrapper dict with keys [model] (the inner dict has"
                + " keys [state_dict, step])",
            "stripped the prefix 'module.' from all 1 keys (saved from a"
                + " DataParallel/DistributedDataParallel model)"),
        sd.notes());
  }

  @Test
  void noStateDictFoundListsTheKeysAndTheHint() throws IOException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("epoch").integer(3);
    p.str("weights")
        .emptyDict()
        .mark()
        .str("a")
        .tensor("FloatStorage", "0", 2, 0, dims(2), dims(1))
        .setitems();
    p.setitems().stop();
    Path f = zip("odd.pth", p, Map.of("0", TestFiles.floats(1, 2)));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "Cannot read checkpoint 'odd.pth': found no state dict: the top-level dict (keys [epoch,"
            + " weights]) is not a dict of tensors (is a dict with 2 of 2 entries that are not"
            + " string → tensor: 'epoch' (an int 3), 'weights' (a dict with keys [a])), and none of"
            + " ['state_dict', 'model', 'model_state_dict', 'module', 'net', 'network'] holds one."
            + " Hint: pick the entry with --state-key <key> (ReadOptions.withStateKey); these keys"
            + " hold dicts of tensors: ['weights']",
        e.getMessage());
    assertEquals(-1, e.byteOffset());
    assertEquals(
        List.of("a"), Checkpoints.read(f, ReadOptions.defaults().withStateKey("weights")).keys());
  }

  @Test
  void nonTensorValuesInTheStateDictAreNamed() throws IOException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("state_dict")
        .emptyDict()
        .mark()
        .str("a")
        .tensor("FloatStorage", "0", 2, 0, dims(2), dims(1));
    p.str("b").integer(3).setitems().setitems().stop();
    Path f = zip("mixed.pth", p, Map.of("0", TestFiles.floats(1, 2)));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertTrue(
        e.detail()
            .contains(
                "'state_dict' is a dict with 1 of 2 entries that are not string → tensor: 'b' (an"
                    + " int 3)"),
        e.detail());
  }

  @Test
  void aPickledModuleIsNotAStateDict() throws IOException {
    PickleWriter p =
        new PickleWriter()
            .proto(2)
            .global("torch.nn.modules.linear", "Linear")
            .emptyTuple()
            .newobj();
    p.emptyDict().build().stop();
    Path f = zip("model.pt", p, Map.of());
    CheckpointFormatException refused =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "refuses global 'torch.nn.modules.linear.Linear': it is not on the allow-list (tensor and"
            + " storage rebuilders, containers and inert data classes such as argparse.Namespace),"
            + " and torch.load would import and call it, which can execute code; nothing from the"
            + " file was run. To read the tensors anyway (still running nothing) pass"
            + " --allow-unknown-globals (ReadOptions.withAllowUnknownGlobals(true))",
        refused.detail());
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class,
            () -> Checkpoints.read(f, ReadOptions.defaults().withAllowUnknownGlobals(true)));
    assertEquals(
        "expected a dict of tensors (a state dict) or a dict that holds one, found an object of"
            + " 'torch.nn.modules.linear.Linear' (a whole pickled nn.Module? re-save it with"
            + " torch.save(model.state_dict(), path))",
        e.detail());
  }

  @Test
  void aSingleTensorIsKeyedByTheFileStem() throws IOException {
    PickleWriter p =
        new PickleWriter().proto(2).tensor("FloatStorage", "0", 2, 0, dims(2), dims(1)).stop();
    StateDict sd = Checkpoints.read(zip("anchor.pt", p, Map.of("0", TestFiles.floats(1, 2))));
    assertEquals(List.of("anchor"), sd.keys());
  }

  @Test
  void stridesReachingPastTheStorageAreRejected() throws IOException {
    PickleWriter p = orderedDict();
    p.str("w").tensor("FloatStorage", "0", 4, 0, dims(2, 2), dims(3, 1)).setitems().stop();
    Path f = zip("oob.pth", p, Map.of("0", TestFiles.floats(1, 2, 3, 4)));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "storage '0' (entry 'archive/data/0') holds 16 bytes, tensor 'w' needs 20 (torch.float32"
            + " [2, 2], storage offset 0, stride [3, 1])",
        e.detail());
  }

  @Test
  void hugeBroadcastViewsAreNotMaterialised() throws IOException {
    PickleWriter p = orderedDict();
    p.str("b").tensor("FloatStorage", "0", 1, 0, dims(1_000_000), dims(0)).setitems().stop();
    Path f = zip("bcast.pth", p, Map.of("0", TestFiles.floats(1)));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "tensor 'b' [1000000] with stride [0] would need 4000000 bytes as a contiguous copy, more"
            + " than the 628 bytes the file's data can still account for (overlapping or broadcast"
            + " view); refusing to allocate it",
        e.detail());
  }

  @Test
  void bigEndianArchivesAreRejected() throws IOException {
    PickleWriter p =
        orderedDict()
            .str("w")
            .tensor("FloatStorage", "0", 1, 0, dims(1), dims(1))
            .setitems()
            .stop();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("m/data.pkl", p.bytes());
    entries.put("m/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
    entries.put("m/data/0", TestFiles.floats(1));
    Path f = TestFiles.storedZip(dir.resolve("be.pth"), entries);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertTrue(e.detail().startsWith("'m/byteorder' says 'big'; expected 'little'"), e.detail());
  }

  @Test
  void damagedStorageFailsItsCrc() throws IOException {
    PickleWriter p =
        orderedDict()
            .str("w")
            .tensor("FloatStorage", "0", 4, 0, dims(4), dims(1))
            .setitems()
            .stop();
    float[] marker = {1234.5f, 6789.25f, -42.125f, 3.75f};
    Path f = zip("crc.pth", p, Map.of("0", TestFiles.floats(marker)));
    byte[] bytes = Files.readAllBytes(f);
    byte[] needle = TestFiles.floats(marker);
    int at = indexOf(bytes, needle);
    bytes[at + 5] ^= 1;
    Files.write(f, bytes);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertTrue(e.detail().startsWith("entry 'archive/data/0' fails its CRC-32 check"), e.detail());
    assertEquals(at, e.byteOffset());
  }

  @Test
  void truncatedStringLengthIsAnErrorNotAnAllocation() throws IOException {
    PickleWriter p =
        new PickleWriter().proto(2).op('X').i32(Integer.MAX_VALUE).raw(new byte[] {'a', 'b', 'c'});
    Path f = zip("len.pth", p, Map.of());
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "truncated: a BINUNICODE string needs 2147483647 bytes, but only 3 remain", e.detail());
  }

  @Test
  void dangerousGlobalsAreRefusedInsideTorchZips() throws IOException {
    PickleWriter p =
        orderedDict()
            .str("w")
            .stackGlobal("subprocess", "Popen")
            .emptyTuple()
            .reduce()
            .setitems()
            .stop();
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class, () -> Checkpoints.read(zip("popen.pth", p, Map.of())));
    assertTrue(
        e.detail()
            .startsWith(
                "refuses global 'subprocess.Popen' (code execution); nothing from the file was"
                    + " run"),
        e.detail());
  }

  // ------------------------------------------------------------------ legacy format

  static PickleWriter legacyTensor(
      PickleWriter p,
      String type,
      String key,
      long numel,
      Object[] view,
      long offset,
      long[] size,
      long[] stride) {
    p.global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().str("storage").global("torch", type).str(key).str("cpu").integer(numel);
    if (view == null) {
      p.none();
    } else {
      p.mark().str((String) view[0]).integer((Long) view[1]).integer((Long) view[2]).tuple();
    }
    p.tuple().binpersid();
    p.integer(offset).ints(size).ints(stride).bool(false);
    p.global("collections", "OrderedDict").emptyTuple().reduce();
    return p.tuple().reduce();
  }

  private byte[] legacyFile() {
    PickleWriter f = new PickleWriter().legacyMagic();
    f.proto(2)
        .emptyDict()
        .mark()
        .str("protocol_version")
        .integer(1001)
        .str("little_endian")
        .bool(true);
    f.str("type_sizes").emptyDict().mark().str("int").integer(4).setitems().setitems().stop();
    f.proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
    f.str("a");
    legacyTensor(f, "FloatStorage", "10", 10, null, 0, dims(2, 5), dims(5, 1));
    f.str("b");
    legacyTensor(
        f,
        "FloatStorage",
        "10",
        10,
        new Object[] {"10v", 4L, 6L},
        1,
        dims(3),
        dims(2)); // view[1], [3], [5]
    f.str("n");
    legacyTensor(f, "LongStorage", "20", 1, null, 0, dims(), dims());
    f.setitems().stop();
    f.proto(2).emptyList().mark().str("10").str("20").appends().stop();
    f.i64(10).raw(TestFiles.floats(TestFiles.iota(10)));
    f.i64(1).raw(TestFiles.longs(7));
    return f.bytes();
  }

  @Test
  void legacyFormatWithStorageViews() throws IOException {
    Path f = Files.write(dir.resolve("old.pth"), legacyFile());
    assertEquals(Checkpoints.Format.PYTORCH_LEGACY, Checkpoints.detect(f));
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of("a", "b", "n"), sd.keys());
    assertArrayEquals(TestFiles.iota(10), sd.get("a").toFloatArray());
    assertArrayEquals(new float[] {5, 7, 9}, sd.get("b").toFloatArray());
    assertArrayEquals(new long[] {7}, sd.get("n").toLongArray());
    assertEquals(List.of("legacy (pre-1.6, non-zip) PyTorch checkpoint"), sd.notes());
  }

  @Test
  void truncatedLegacyStorageIsAnError() throws IOException {
    byte[] full = legacyFile();
    Path f = Files.write(dir.resolve("cut.pth"), Arrays.copyOf(full, full.length - 5));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "truncated: storage '20' (1 elements of 8 bytes) needs 8 bytes, but only 3 remain",
        e.detail());
    assertEquals(full.length - 8, e.byteOffset());
  }

  @Test
  void aPlainPickleIsNotALegacyCheckpoint() throws IOException {
    Path f =
        Files.write(
            dir.resolve("plain.pkl"), new PickleWriter().proto(2).emptyDict().stop().bytes());
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(
        "a pickle, but not a PyTorch checkpoint: expected the legacy magic number"
            + " 0x1950a86a20f9469cfc6c as the first pickle, found {} (a plain pickle file cannot be"
            + " read safely as weights)",
        e.detail());
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("needle not found");
  }
}
