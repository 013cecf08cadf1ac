package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads numpy {@code .npy} arrays (format versions 1, 2 and 3) and {@code .npz} archives of them,
 * and writes {@code .npy}. Big-endian arrays are converted to little-endian and Fortran-order
 * arrays to C order. Object arrays ({@code '|O'}) are always rejected: numpy stores them as
 * pickles.
 */
public final class NpyReader {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int MAX_HEADER = 1 << 20;
  private static final int MAX_DEPTH = 8;

  private NpyReader() {}

  /** True when {@code head} starts with the .npy magic {@code \x93NUMPY}. */
  static boolean isNpy(byte[] head) {
    if (head.length < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (head[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /** The single array of a {@code .npy} file. */
  public static HostTensor readArray(Path file) throws IOException {
    byte[] all = readAll(file);
    return parse(file, ByteReader.ofArray(file, all, 0, null), null, null, new ArrayList<>());
  }

  /**
   * A {@code .npy} file (one tensor, keyed by the file name without {@code .npy}) or a {@code .npz}
   * archive (one tensor per entry, keyed by the entry name without {@code .npy}), by content.
   */
  public static StateDict read(Path file) throws IOException {
    return read(file, ReadLimits.defaults());
  }

  /** As {@link #read(Path)}; an {@code .npz} inflates at most {@code limits.budget(file size)}. */
  public static StateDict read(Path file, ReadLimits limits) throws IOException {
    String source = CheckpointFormatException.fileName(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      byte[] head =
          ByteReader.ofChannel(file, ch, 0, Math.min(size, 6))
              .bytes(Math.min(size, 6), "the file header");
      List<String> notes = new ArrayList<>();
      LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
      FileRegion.Stamp stamp = FileRegion.Stamp.of(file, ch);
      if (isNpy(head)) {
        String key = Checkpoints.stem(file);
        out.put(key, parse(file, ByteReader.ofChannel(file, ch, 0, size), stamp, null, notes));
        notes.add(0, "numpy .npy array, returned under the key '" + key + "'");
        return StateDict.of(source, out, notes);
      }
      if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
        throw new CheckpointFormatException(
            file,
            0,
            "expected a numpy .npy file (starts with '\\x93NUMPY') or an .npz zip archive (starts"
                + " with 'PK'), found bytes "
                + Describe.hex(head, 6));
      }
      ZipArchive zip = ZipArchive.open(file, ch, limits);
      notes.add("numpy .npz archive of " + zip.entries().size() + " arrays");
      for (ZipArchive.Entry e : zip.entries()) {
        if (e.name().endsWith("/")) {
          continue;
        }
        if (!e.name().endsWith(".npy")) {
          throw new CheckpointFormatException(
              file,
              e.localHeaderOffset(),
              "npz entry '"
                  + e.name()
                  + "' is not an .npy array; expected only '<key>.npy' entries");
        }
        String key = e.name().substring(0, e.name().length() - 4);
        // A stored entry (what np.savez writes) is CRC-checked by streaming and its data left in
        // the file; a deflated one (np.savez_compressed) is inflated, within the read limits.
        ByteReader r =
            e.method() == 0
                ? ByteReader.ofChannel(file, ch, zip.verifyStored(e), e.size())
                : ByteReader.ofArray(file, zip.read(e), -1, null);
        out.put(key, parse(file, r, e.method() == 0 ? stamp : null, e.name(), notes));
      }
      return StateDict.of(source, out, notes);
    }
  }

  /**
   * Writes {@code tensor} as a version 1.0 {@code .npy} file (every dtype but bfloat16, which numpy
   * lacks).
   */
  public static void write(Path file, HostTensor tensor) throws IOException {
    String descr =
        switch (tensor.dtype()) {
          case F32 -> "<f4";
          case F64 -> "<f8";
          case F16 -> "<f2";
          case I64 -> "<i8";
          case I32 -> "<i4";
          case I16 -> "<i2";
          case I8 -> "|i1";
          case U8 -> "|u1";
          case BOOL -> "|b1";
          case BF16 ->
              throw new IllegalArgumentException(
                  "cannot write "
                      + tensor
                      + " to '"
                      + CheckpointFormatException.fileName(file)
                      + "': numpy has no bfloat16; widen it first with HostTensor.ofFloats(shape,"
                      + " t.toFloatArray())");
        };
    long[] shape = tensor.shape();
    StringBuilder sb =
        new StringBuilder("{'descr': '")
            .append(descr)
            .append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      sb.append(shape[i]).append(i + 1 < shape.length || shape.length == 1 ? "," : "");
      if (i + 1 < shape.length) {
        sb.append(' ');
      }
    }
    sb.append("), }");
    int unpadded = MAGIC.length + 2 + 2 + sb.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    sb.append(" ".repeat(pad)).append('\n');
    byte[] header = sb.toString().getBytes(StandardCharsets.US_ASCII);
    Checks.checkArg(
        header.length <= 0xffff, "npy header for shape %s is too long", Checks.shape(shape));
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      out.write(MAGIC);
      out.write(1);
      out.write(0);
      out.write(header.length & 0xff);
      out.write(header.length >>> 8);
      out.write(header);
      ByteBuffer data = tensor.data();
      byte[] chunk = new byte[1 << 16];
      while (data.hasRemaining()) {
        int n = Math.min(chunk.length, data.remaining());
        data.get(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
  }

  // ------------------------------------------------------------------ parsing

  /**
   * Parses one .npy image read by {@code r} (over the file, or an inflated entry on the heap);
   * {@code entry} names the npz entry, or null for a plain .npy file. With a {@code stamp} (the
   * image lies in the file as it was parsed) the array's data is left there ({@link
   * HostTensor#lazy}) unless it must be rearranged (big-endian, Fortran order).
   */
  static HostTensor parse(
      Path file, ByteReader r, FileRegion.Stamp stamp, String entry, List<String> notes)
      throws CheckpointFormatException {
    String where = entry == null ? "" : " in entry '" + entry + "'";
    byte[] magic = r.bytes(Math.min(6, r.length()), "the magic");
    if (!isNpy(magic)) {
      throw r.fail(
          0,
          "expected the .npy magic '\\x93NUMPY'"
              + where
              + ", found bytes "
              + Describe.hex(magic, 6));
    }
    int major = r.u8("the format version");
    int minor = r.u8("the format version");
    long headerLength;
    if (major == 1) {
      headerLength = r.u16("the header length");
    } else if (major == 2 || major == 3) {
      headerLength = r.u32("the header length");
    } else {
      throw r.fail(
          6, ".npy format version " + major + "." + minor + where + "; expected 1.0, 2.0 or 3.0");
    }
    long headerStart = r.position();
    if (headerLength > MAX_HEADER) {
      throw r.fail(
          8,
          ".npy header of " + headerLength + " bytes" + where + "; expected at most " + MAX_HEADER);
    }
    byte[] hb = r.bytes(headerLength, "the .npy header");
    String header =
        new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Object parsed = new Literal(r, headerStart, header, where).parseHeader();
    if (!(parsed instanceof Map<?, ?> dict)) {
      throw r.fail(
          headerStart,
          "malformed .npy header"
              + where
              + ": expected a dict, found "
              + Describe.value(parsed)
              + " (header: "
              + clip(header)
              + ")");
    }
    if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
      throw r.fail(
          headerStart,
          "malformed .npy header"
              + where
              + ": expected exactly the keys 'descr', 'fortran_order' and 'shape', found "
              + StateDictFinder.keyList(dict)
              + " (header: "
              + clip(header)
              + ")");
    }
    Object descrObj = dict.get("descr");
    if (!(descrObj instanceof String descr)) {
      throw r.fail(
          headerStart,
          "unsupported .npy dtype "
              + Describe.value(descrObj)
              + where
              + ": structured dtypes are not supported");
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw r.fail(
          headerStart,
          "malformed .npy header"
              + where
              + ": 'fortran_order' must be True or False, found "
              + Describe.value(dict.get("fortran_order")));
    }
    long[] shape = shape(r, headerStart, dict.get("shape"), where);

    if (descr.length() >= 2 && descr.substring(1).equals("O") || descr.equals("O")) {
      throw r.fail(
          headerStart,
          "refuses an object array (dtype '"
              + descr
              + "')"
              + where
              + ": numpy stores those as pickles, which could run code; expected a numeric dtype");
    }
    char order = descr.isEmpty() ? '?' : descr.charAt(0);
    String code =
        order == '<' || order == '>' || order == '|' || order == '=' ? descr.substring(1) : descr;
    DType dtype =
        switch (code) {
          case "f4" -> DType.F32;
          case "f8" -> DType.F64;
          case "f2" -> DType.F16;
          case "i8" -> DType.I64;
          case "i4" -> DType.I32;
          case "i2" -> DType.I16;
          case "i1" -> DType.I8;
          case "u1" -> DType.U8;
          case "b1", "?" -> DType.BOOL;
          default ->
              throw r.fail(
                  headerStart,
                  "unsupported .npy dtype '"
                      + descr
                      + "'"
                      + where
                      + "; expected one of <f4 <f8 <f2 <i8 <i4 <i2 |i1 |u1 |b1 (or their big-endian"
                      + " '>' forms)");
        };
    boolean bigEndian = order == '>' && dtype.byteSize() > 1;
    long numel;
    long bytes;
    try {
      numel = HostTensor.numel(shape);
      bytes = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw r.fail(headerStart, ".npy shape " + Checks.shape(shape) + where + " overflows 64 bits");
    }
    long dataStart = r.position();
    if (r.remaining() != bytes) {
      throw r.fail(
          dataStart,
          (r.remaining() < bytes ? "truncated: " : "")
              + "the header promises "
              + bytes
              + " bytes of data ("
              + descr
              + " "
              + Checks.shape(shape)
              + ")"
              + where
              + ", found "
              + r.remaining());
    }
    String label = entry == null ? CheckpointFormatException.fileName(file) : entry;
    if (stamp != null && !bigEndian && !(fortran && shape.length > 1)) {
      return HostTensor.lazy(
          dtype,
          shape,
          new FileRegion(
              stamp, r.fileOffset(dataStart), bytes, "array '" + Describe.name(label) + "'"));
    }
    byte[] raw = r.bytes(bytes, "the array data");
    if (bigEndian) {
      swapBytes(raw, dtype.byteSize());
      notes.add("converted big-endian '" + descr + "' of '" + label + "' to little-endian");
    }
    if (fortran && shape.length > 1) {
      raw = fortranToC(raw, shape, dtype.byteSize());
      notes.add(
          "transposed fortran_order array '" + label + "' " + Checks.shape(shape) + " to C order");
    }
    return HostTensor.of(dtype, shape, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN));
  }

  private static long[] shape(ByteReader r, long at, Object o, String where)
      throws CheckpointFormatException {
    if (!(o instanceof Pickled.Tuple t)) {
      throw r.fail(
          at,
          "malformed .npy header"
              + where
              + ": 'shape' must be a tuple, found "
              + Describe.value(o));
    }
    long[] shape = new long[t.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(t.get(i) instanceof Long l) || l < 0) {
        throw r.fail(
            at,
            "malformed .npy header"
                + where
                + ": 'shape' must hold non-negative ints, found "
                + Describe.value(o));
      }
      shape[i] = l;
    }
    return shape;
  }

  private static void swapBytes(byte[] b, int size) {
    for (int i = 0; i + size <= b.length; i += size) {
      for (int j = 0; j < size / 2; j++) {
        byte t = b[i + j];
        b[i + j] = b[i + size - 1 - j];
        b[i + size - 1 - j] = t;
      }
    }
  }

  /** Column-major bytes to row-major. */
  private static byte[] fortranToC(byte[] src, long[] shape, int es) {
    int rank = shape.length;
    long[] fstride = new long[rank];
    long s = 1;
    for (int d = 0; d < rank; d++) {
      fstride[d] = s;
      s *= shape[d];
    }
    byte[] dst = new byte[src.length];
    long numel = src.length / es;
    long[] idx = new long[rank];
    long off = 0;
    for (long n = 0; n < numel; n++) {
      System.arraycopy(src, (int) (off * es), dst, (int) (n * es), es);
      for (int d = rank - 1; d >= 0; d--) {
        idx[d]++;
        off += fstride[d];
        if (idx[d] < shape[d]) {
          break;
        }
        off -= shape[d] * fstride[d];
        idx[d] = 0;
      }
    }
    return dst;
  }

  private static String clip(String header) {
    String h = header.strip();
    return h.length() > 200 ? h.substring(0, 200) + "…" : h;
  }

  private static byte[] readAll(Path file) throws IOException {
    long size = Files.size(file);
    if (size > Integer.MAX_VALUE - 16) {
      throw new CheckpointFormatException(
          file, -1, ".npy file of " + size + " bytes; files over 2 GiB are not supported");
    }
    return Files.readAllBytes(file);
  }

  /**
   * The Python literal subset numpy writes in headers: dicts, tuples, lists, strings, ints, bools,
   * None.
   */
  private static final class Literal {
    private final ByteReader r;
    private final long base;
    private final String s;
    private final String where;
    private int i;

    Literal(ByteReader r, long base, String s, String where) {
      this.r = r;
      this.base = base;
      this.s = s;
      this.where = where;
    }

    Object parseHeader() throws CheckpointFormatException {
      Object v = value(0);
      skipSpace();
      if (i != s.length()) {
        throw error("the end of the header");
      }
      return v;
    }

    private Object value(int depth) throws CheckpointFormatException {
      if (depth > MAX_DEPTH) {
        throw error("a shallower value (nesting deeper than " + MAX_DEPTH + ")");
      }
      skipSpace();
      if (i >= s.length()) {
        throw error("a value");
      }
      char c = s.charAt(i);
      if (c == '{') {
        i++;
        Map<Object, Object> d = new LinkedHashMap<>();
        while (true) {
          skipSpace();
          if (peek('}')) {
            i++;
            return d;
          }
          Object k = value(depth + 1);
          if (!(k instanceof String)) {
            throw error("a string key");
          }
          skipSpace();
          expect(':');
          Object v = value(depth + 1);
          if (d.put(k, v) != null) {
            throw error("no duplicate key '" + k + "'");
          }
          skipSpace();
          if (peek(',')) {
            i++;
          } else if (!peek('}')) {
            throw error("',' or '}' in the dict");
          }
        }
      }
      if (c == '(' || c == '[') {
        char close = c == '(' ? ')' : ']';
        i++;
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
          skipSpace();
          if (peek(close)) {
            i++;
            break;
          }
          items.add(value(depth + 1));
          skipSpace();
          if (peek(',')) {
            i++;
            comma = true;
          } else if (!peek(close)) {
            throw error("',' or '" + close + "' in the " + (c == '(' ? "tuple" : "list"));
          }
        }
        if (c == '[') {
          return items;
        }
        if (items.size() == 1 && !comma) {
          return items.get(0); // parenthesised value, not a tuple
        }
        return new Pickled.Tuple(items);
      }
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) {
          throw error("a closing " + c + " for the string");
        }
        String v = s.substring(i + 1, end);
        if (v.indexOf('\\') >= 0) {
          throw error("a string without escapes");
        }
        i = end + 1;
        return v;
      }
      if (c == '-' || Character.isDigit(c)) {
        int start = i;
        if (c == '-') {
          i++;
        }
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        String digits = s.substring(start, i);
        if (i < s.length() && s.charAt(i) == 'L') {
          i++; // Python 2 long
        }
        try {
          return Long.parseLong(digits);
        } catch (NumberFormatException e) {
          i = start;
          throw error("an integer that fits in 64 bits");
        }
      }
      for (String word : List.of("True", "False", "None")) {
        if (s.startsWith(word, i)) {
          i += word.length();
          return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
        }
      }
      throw error("a value");
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private boolean peek(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) throws CheckpointFormatException {
      if (!peek(c)) {
        throw error("'" + c + "'");
      }
      i++;
    }

    private CheckpointFormatException error(String expected) {
      String found = i >= s.length() ? "the end of the header" : "'" + s.charAt(i) + "'";
      return r.fail(
          base + Math.min(i, s.length()),
          "malformed .npy header"
              + where
              + " at character "
              + i
              + ": expected "
              + expected
              + ", found "
              + found
              + " (header: "
              + clip(s)
              + ")");
    }
  }
}
