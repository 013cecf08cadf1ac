package io.tfhybrid.interop.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds the minimised reproducer of each hostile-file class of issue 14. They are committed in
 * {@code ReaderFuzzTestInputs/readAnyFormat/} (the Jazzer regression corpus) and asserted one by
 * one in {@link HostileFilesTest}; {@code main(dir)} writes them again.
 */
final class HostileFiles {
  private HostileFiles() {}

  static Map<String, byte[]> all() throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put("zip-overlapping-entries.pth", overlappingZip());
    out.put("npz-deflate-bomb.npz", npzBomb());
    out.put("pickle-empty-set-flood.pth", torchZip(emptySetFlood()));
    out.put("pickle-colliding-tuple-keys.pth", torchZip(collidingKeys()));
    out.put("pickle-long4-integer.pth", torchZip(long4()));
    out.put("pickle-bad-unicode-escape.pth", torchZip(badUnicode()));
    out.put("legacy-deep-storage-keys.pth", legacyDeepKeys());
    out.put("legacy-view-offset-overflow.pth", legacyViewOverflow());
    out.put("tensor-stride0-2pow62.pth", stride0());
    out.put("global-posixpath-os-system.pth", torchZip(global("posixpath", "os.system")));
    out.put("global-torch-serialization-os-system.pth", torchZip(global("torch.serialization", "os.system")));
    out.put("global-pkgutil-resolve-name.pth", torchZip(global("pkgutil", "resolve_name")));
    out.put("global-operator-attrgetter.pth", torchZip(global("operator", "attrgetter")));
    out.put("global-functools-partial.pth", torchZip(global("functools", "partial")));
    out.put("global-torch-storage-load-from-bytes.pth", torchZip(global("torch.storage", "_load_from_bytes")));
    out.put("global-inst-dotted.pth", torchZip(instDotted()));
    out.put("global-newobj-nn-module.pth", torchZip(nnModule()));
    return out;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    for (Map.Entry<String, byte[]> e : all().entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }

  // ------------------------------------------------------------------ memory bombs

  /** 8 storage entries of the central directory all point at one deflated 32 MiB entry. */
  static byte[] overlappingZip() throws IOException {
    PickleWriter p =
        new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
    int numel = 8 << 20;
    for (int i = 0; i < 8; i++) {
      p.str("w" + i).tensor("FloatStorage", String.valueOf(i), numel, 0, new long[] {numel}, new long[] {1});
    }
    p.setitems().stop();
    ZipBytes z = new ZipBytes();
    z.stored("archive/data.pkl", p.bytes());
    int bomb = z.deflated("archive/data/0", new byte[numel * 4]);
    for (int i = 1; i < 8; i++) {
      z.alias("archive/data/" + i, bomb);
    }
    return z.finish();
  }

  /** One .npy entry of 96 MiB of zeros, deflated to about 96 KB. */
  static byte[] npzBomb() {
    int numel = 24 << 20;
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + numel + ",), }";
    byte[] npy = TestFiles.npy(dict, new byte[0]);
    byte[] full = new byte[npy.length + numel * 4];
    System.arraycopy(npy, 0, full, 0, npy.length);
    ZipBytes z = new ZipBytes();
    z.deflated("w.npy", full);
    return z.finish();
  }

  /** 1.1 MB of EMPTY_SET opcodes: each byte builds a set (~80 bytes of Java heap). */
  static PickleWriter emptySetFlood() {
    PickleWriter p = new PickleWriter().proto(4);
    byte[] flood = new byte[1_100_000];
    java.util.Arrays.fill(flood, (byte) 0x8f);
    return p.raw(flood).stop();
  }

  // ------------------------------------------------------------------ CPU bombs

  /** A dict whose 1,024 tuple keys of 'Aa'/'BB' (equal String hash codes) all share a hash code. */
  static PickleWriter collidingKeys() {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    for (int k = 0; k < 1024; k++) {
      p.mark();
      for (int bit = 0; bit < 10; bit++) {
        p.str((k >> bit & 1) == 0 ? "Aa" : "BB");
      }
      p.tuple().none();
    }
    return p.setitems().stop();
  }

  /** A LONG4 integer of 1,025 bytes (the took 4 MB and a minute to print). */
  static PickleWriter long4() {
    byte[] digits = new byte[1025];
    java.util.Arrays.fill(digits, (byte) 0x7f);
    return new PickleWriter().proto(2).op(0x8b).i32(digits.length).raw(digits).stop();
  }

  // ------------------------------------------------------------------ exceptions

  static PickleWriter badUnicode() {
    return new PickleWriter()
        .op('V')
        .raw("\\UFFFFFFFF\n".getBytes(StandardCharsets.ISO_8859_1))
        .stop();
  }

  /** A legacy checkpoint whose list of storage keys nests 300,000 lists deep. */
  static byte[] legacyDeepKeys() {
    PickleWriter f = legacyPreamble();
    f.proto(2).global("collections", "OrderedDict").emptyTuple().reduce().stop();
    f.proto(2);
    for (int i = 0; i < 300_000; i++) {
      f.op(']');
    }
    for (int i = 1; i < 300_000; i++) {
      f.op('a');
    }
    return f.stop().bytes();
  }

  /** A legacy storage view whose offset (2^61 floats) overflows as a byte offset. */
  static byte[] legacyViewOverflow() {
    PickleWriter f = legacyPreamble();
    f.proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark().str("w");
    Object[] view = {"0", 1L << 61, 1L};
    PthReaderTest.legacyTensor(f, "FloatStorage", "0", 4, view, 0, new long[] {1}, new long[] {1});
    f.setitems().stop();
    f.proto(2).op(']').str("0").op('a').stop();
    f.i64(4).raw(TestFiles.floats(1, 2, 3, 4));
    return f.bytes();
  }

  /** A tensor of 2^62 float32 elements with stride 0 over a 1-element storage. */
  static byte[] stride0() throws IOException {
    PickleWriter p =
        new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
    p.str("w").tensor("FloatStorage", "0", 1, 0, new long[] {1L << 62}, new long[] {0});
    p.setitems().stop();
    ZipBytes z = new ZipBytes();
    z.stored("archive/data.pkl", p.bytes());
    z.stored("archive/data/0", TestFiles.floats(1));
    return z.finish();
  }

  // ------------------------------------------------------------------ code-execution payloads

  /** {@code GLOBAL module name} then REDUCE with a shell command, as a torch.load payload. */
  static PickleWriter global(String module, String name) {
    return new PickleWriter()
        .proto(2)
        .global(module, name)
        .mark()
        .str("touch /tmp/pwned_by_checkpoint")
        .tuple()
        .reduce()
        .stop();
  }

  /** INST with a dotted name: {@code posixpath.os.system('…')}. */
  static PickleWriter instDotted() {
    return new PickleWriter()
        .proto(0)
        .mark()
        .str("touch /tmp/pwned_by_checkpoint")
        .op('i')
        .raw("posixpath\nos.system\n".getBytes(StandardCharsets.US_ASCII))
        .stop();
  }

  /** A whole nn.Module by NEWOBJ/BUILD (its __setstate__ would run under torch.load). */
  static PickleWriter nnModule() {
    PickleWriter p =
        new PickleWriter().proto(2).global("torch.nn.modules.conv", "Conv2d").emptyTuple().newobj();
    return p.emptyDict().build().stop();
  }

  // ------------------------------------------------------------------ writers

  static byte[] torchZip(PickleWriter p) {
    ZipBytes z = new ZipBytes();
    z.stored("archive/data.pkl", p.bytes());
    return z.finish();
  }

  private static PickleWriter legacyPreamble() {
    PickleWriter f = new PickleWriter().legacyMagic();
    return f.proto(2).emptyDict().mark().str("little_endian").bool(true).setitems().stop();
  }

  /** A zip written byte by byte, so that central-directory entries can alias one local entry. */
  static final class ZipBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<byte[]> central = new ArrayList<>();
    private final List<long[]> locals = new ArrayList<>(); // method, crc, csize, usize, offset

    int stored(String name, byte[] data) {
      return local(name, 0, data, data);
    }

    int deflated(String name, byte[] data) {
      Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
      d.setInput(data);
      d.finish();
      ByteArrayOutputStream c = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      while (!d.finished()) {
        c.write(buf, 0, d.deflate(buf));
      }
      d.end();
      return local(name, 8, data, c.toByteArray());
    }

    /** A central-directory entry named {@code name} for local entry {@code index}. */
    void alias(String name, int index) {
      central.add(centralEntry(name, locals.get(index)));
    }

    private int local(String name, int method, byte[] data, byte[] payload) {
      CRC32 crc = new CRC32();
      crc.update(data);
      long[] info = {method, crc.getValue(), payload.length, data.length, out.size()};
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      ByteBuffer h = le(30 + n.length);
      h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) method);
      h.putInt(0).putInt((int) info[1]).putInt((int) info[2]).putInt((int) info[3]);
      h.putShort((short) n.length).putShort((short) 0).put(n);
      out.writeBytes(h.array());
      out.writeBytes(payload);
      locals.add(info);
      central.add(centralEntry(name, info));
      return locals.size() - 1;
    }

    private static byte[] centralEntry(String name, long[] info) {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      ByteBuffer c = le(46 + n.length);
      c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
      c.putShort((short) info[0]).putInt(0).putInt((int) info[1]).putInt((int) info[2]);
      c.putInt((int) info[3]).putShort((short) n.length).putShort((short) 0).putShort((short) 0);
      c.putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) info[4]).put(n);
      return c.array();
    }

    byte[] finish() {
      int cdStart = out.size();
      for (byte[] c : central) {
        out.writeBytes(c);
      }
      int cdSize = out.size() - cdStart;
      ByteBuffer e = le(22);
      e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
      e.putShort((short) central.size()).putShort((short) central.size());
      e.putInt(cdSize).putInt(cdStart).putShort((short) 0);
      out.writeBytes(e.array());
      return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
      return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
  }
}
