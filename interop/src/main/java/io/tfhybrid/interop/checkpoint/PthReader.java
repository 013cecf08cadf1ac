package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.interop.checkpoint.Pickled.DTypeRef;
import io.tfhybrid.interop.checkpoint.Pickled.GlobalRef;
import io.tfhybrid.interop.checkpoint.Pickled.StorageRef;
import io.tfhybrid.interop.checkpoint.Pickled.StorageType;
import io.tfhybrid.interop.checkpoint.Pickled.TensorRef;
import io.tfhybrid.interop.checkpoint.Pickled.Tuple;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads PyTorch checkpoints written by {@code torch.save}: the zip format (PyTorch ≥ 1.6: {@code
 * <name>/data.pkl} plus one {@code <name>/data/<key>} entry per storage) and the legacy format
 * (magic-number pickle, protocol pickle, sys_info pickle, the main pickle, a pickled list of
 * storage keys, then each storage as an 8-byte element count and raw bytes). Pickles go through the
 * restricted {@link Unpickler}, which runs nothing. Only storages of the tensors in the chosen
 * state dict are read: optimizer state is never materialised.
 */
public final class PthReader {
  static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  static final long LEGACY_PROTOCOL = 1001;

  private PthReader() {}

  public static StateDict read(Path file) throws IOException {
    return read(file, ReadOptions.defaults());
  }

  public static StateDict read(Path file, ReadOptions options) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      byte[] head =
          ByteReader.ofChannel(file, ch, 0, Math.min(size, 4))
              .bytes(Math.min(size, 4), "the file header");
      if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
        return readZip(file, ch, options);
      }
      if (head.length >= 1 && (head[0] & 0xff) == 0x80) {
        return readLegacy(file, ch, options);
      }
      throw new CheckpointFormatException(
          file,
          0,
          "not a PyTorch checkpoint: expected a zip archive (starts with 'PK\\3\\4') or a legacy"
              + " pickle (starts with 0x80), found bytes "
              + Describe.hex(head, 4)
              + ". Checkpoints.read detects all formats we understand");
    }
  }

  // ------------------------------------------------------------------ zip format

  private static StateDict readZip(Path file, FileChannel ch, ReadOptions options)
      throws IOException {
    ZipArchive zip = ZipArchive.open(file, ch, options.limits());
    List<String> pickles = new ArrayList<>();
    for (String n : zip.names()) {
      if (n.equals("data.pkl")
          || (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())) {
        pickles.add(n);
      }
    }
    if (pickles.isEmpty()) {
      boolean npz =
          !zip.names().isEmpty()
              && zip.names().stream().allMatch(n -> n.endsWith(".npy") || n.endsWith("/"));
      throw new CheckpointFormatException(
          file,
          -1,
          npz
              ? "this is a numpy .npz archive, not a PyTorch checkpoint; read it with NpyReader or"
                    + " Checkpoints.read"
              : "zip archive without '<name>/data.pkl', so not a PyTorch checkpoint; its entries"
                    + " are "
                  + Describe.quotedList(zip.names(), 10));
    }
    if (pickles.size() > 1) {
      throw new CheckpointFormatException(
          file,
          -1,
          "zip archive holds several pickles "
              + Describe.quotedList(pickles, 10)
              + "; expected exactly one '<name>/data.pkl'");
    }
    String pkl = pickles.get(0);
    String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());

    ZipArchive.Entry order = zip.find(prefix + "byteorder");
    if (order != null) {
      if (order.size() > 16) {
        throw new CheckpointFormatException(
            file,
            zip.dataOffset(order),
            "'" + order.name() + "' is " + order.size() + " bytes; expected 'little'");
      }
      String bo = new String(zip.read(order), StandardCharsets.US_ASCII).trim();
      if (!bo.equals("little")) {
        throw new CheckpointFormatException(
            file,
            zip.dataOffset(order),
            "'"
                + order.name()
                + "' says '"
                + bo
                + "'; expected 'little' (big-endian checkpoints are not supported;"
                + " re-save the file on a little-endian machine)");
      }
    }

    Map<String, StorageType> types = new HashMap<>();
    ZipArchive.Entry pklEntry = zip.find(pkl);
    Unpickler u =
        new Unpickler(
            zip.reader(pklEntry), (pid, at) -> storageRef(file, pid, at, types, false), options);
    Object root = u.load();

    List<String> notes = new ArrayList<>();
    notes.add("PyTorch zip checkpoint (archive folder '" + prefix.replace("/", "") + "')");
    StateDictFinder.Found found = StateDictFinder.find(file, root, options);
    notes.addAll(found.notes());
    notes.addAll(placeholderNotes(u.unknownGlobals()));

    Map<String, StorageBytes> cache = new HashMap<>();
    FileRegion.Stamp stamp = FileRegion.Stamp.of(file, ch);
    // What loading may inflate again (a tensor of a deflated storage inflates up to its end).
    Reinflation reinflation = new Reinflation(options.limits(), ch.size());
    StorageSource source =
        ref -> {
          StorageBytes b = cache.get(ref.key());
          if (b == null) {
            String name = prefix + "data/" + ref.key();
            ZipArchive.Entry e = zip.find(name);
            if (e == null) {
              throw new CheckpointFormatException(
                  file,
                  -1,
                  "storage '"
                      + ref.key()
                      + "' is missing: the archive has no entry '"
                      + name
                      + "' (damaged file)");
            }
            // Stored (what torch.save writes) or deflated: checked by streaming it (CRC-32, and
            // for deflated ones the inflation limit), then left in the file; tensors read it when
            // they are loaded.
            b =
                e.method() == 0
                    ? StorageBytes.inFile(stamp, zip.verifyStored(e), e.size(), "entry '" + name + "'")
                    : StorageBytes.deflatedInFile(
                        stamp, zip.verifyDeflated(e), e, reinflation, "entry '" + name + "'");
            cache.put(ref.key(), b);
          }
          return b;
        };
    return finish(file, found, source, ch.size(), notes, options);
  }

  // ------------------------------------------------------------------ legacy format

  private static StateDict readLegacy(Path file, FileChannel ch, ReadOptions options)
      throws IOException {
    long size = ch.size();
    ByteReader r = ByteReader.ofChannel(file, ch, 0, size);
    Object magic = new Unpickler(r, null, options).load();
    if (!LEGACY_MAGIC.equals(magic)) {
      throw new CheckpointFormatException(
          file,
          0,
          "a pickle, but not a PyTorch checkpoint: expected the legacy magic number 0x"
              + LEGACY_MAGIC.toString(16)
              + " as the first pickle, found "
              + Describe.value(magic)
              + " (a plain pickle file cannot be read safely as weights)");
    }
    long at = r.position();
    Object protocol = new Unpickler(r, null, options).load();
    if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
      throw new CheckpointFormatException(
          file,
          at,
          "legacy protocol version " + Describe.value(protocol) + "; expected " + LEGACY_PROTOCOL);
    }
    at = r.position();
    Object sysInfo = new Unpickler(r, null, options).load();
    if (sysInfo instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian"))) {
      throw new CheckpointFormatException(
          file,
          at,
          "the checkpoint was saved on a big-endian machine (sys_info little_endian=False);"
              + " expected little-endian");
    }

    Map<String, StorageType> types = new HashMap<>();
    Unpickler main =
        new Unpickler(r, (pid, off) -> storageRef(file, pid, off, types, true), options);
    Object root = main.load();
    at = r.position();
    Object keysObj = new Unpickler(r, null, options).load();
    if (!(keysObj instanceof List<?> keys)) {
      throw new CheckpointFormatException(
          file,
          at,
          "expected the pickled list of storage keys after the main pickle, found "
              + Pickled.typeName(keysObj));
    }

    // Walk the storage records (element count, then bytes) without reading their data.
    record Region(long offset, long length) {}
    Map<String, Region> regions = new HashMap<>();
    for (Object k : keys) {
      if (!(k instanceof String) && !(k instanceof Long)) {
        throw new CheckpointFormatException(
            file,
            at,
            "expected the storage keys after the main pickle to be strings, found "
                + Describe.value(k));
      }
      String key = String.valueOf(k);
      long recordAt = r.position();
      StorageType type = types.get(key);
      if (type == null) {
        throw new CheckpointFormatException(
            file,
            recordAt,
            "storage '"
                + key
                + "' is listed after the pickles but no tensor refers to it, so its element size is"
                + " unknown (damaged file)");
      }
      long numel = r.i64("the element count of storage '" + key + "'");
      if (numel < 0 || numel > size) {
        throw new CheckpointFormatException(
            file,
            recordAt,
            "storage '"
                + key
                + "' declares "
                + numel
                + " elements; expected 0 to "
                + size
                + " (damaged file)");
      }
      int es = type.elementSize() > 0 ? type.elementSize() : 1;
      long bytes = numel * es; // numel <= size and es <= 16: no overflow
      long dataAt = r.position();
      r.skip(bytes, "storage '" + key + "' (" + numel + " elements of " + es + " bytes)");
      regions.put(key, new Region(dataAt, bytes));
    }

    List<String> notes = new ArrayList<>();
    notes.add("legacy (pre-1.6, non-zip) PyTorch checkpoint");
    StateDictFinder.Found found = StateDictFinder.find(file, root, options);
    notes.addAll(found.notes());
    notes.addAll(placeholderNotes(main.unknownGlobals()));

    Map<String, StorageBytes> cache = new HashMap<>();
    FileRegion.Stamp stamp = FileRegion.Stamp.of(file, ch);
    StorageSource source =
        ref -> {
          StorageBytes b = cache.get(ref.key());
          if (b == null) {
            Region g = regions.get(ref.key());
            if (g == null) {
              throw new CheckpointFormatException(
                  file,
                  -1,
                  "storage '"
                      + ref.key()
                      + "' is missing from the list of storages after the pickles (damaged file)");
            }
            b =
                StorageBytes.inFile(
                    stamp, g.offset(), g.length(), "the legacy storage record '" + ref.key() + "'");
            cache.put(ref.key(), b);
          }
          return b;
        };
    return finish(file, found, source, size, notes, options);
  }

  // ------------------------------------------------------------------ shared

  /**
   * The bytes loading may inflate again from a file's deflated storages: {@link ReadLimits#budget}
   * of the file, shared by its tensors, so a hostile file of many views on one deflated storage
   * cannot make loading inflate it without end.
   */
  static final class Reinflation {
    private final ReadLimits limits;
    private final long fileSize;
    private final java.util.concurrent.atomic.AtomicLong left;

    Reinflation(ReadLimits limits, long fileSize) {
      this.limits = limits;
      this.fileSize = fileSize;
      this.left = new java.util.concurrent.atomic.AtomicLong(limits.budget(fileSize));
    }

    void charge(Path file, long at, long bytes, String what) throws CheckpointFormatException {
      if (left.addAndGet(-bytes) < 0) {
        throw new CheckpointFormatException(
            file,
            at,
            "inflating "
                + what
                + " ("
                + bytes
                + " bytes) exceeds what loading may inflate from this file, the read limit of "
                + limits.describe(fileSize, "the file")
                + " (many tensors on one deflated storage?); "
                + ReadLimits.howToRaise());
      }
    }
  }

  /**
   * One storage: its bytes on the heap, or left in the file at {@code fileOffset} (stored: {@code
   * length} bytes as they are; deflated: an entry loading inflates again, charged to its {@link
   * Reinflation}), and where it lies, for messages.
   */
  static final class StorageBytes {
    private final byte[] data; // null: in the file
    private final FileRegion.Stamp stamp; // null: on the heap
    private final ZipArchive.Entry deflated; // non-null: a deflated entry at fileOffset
    private final Reinflation reinflation;
    private final long length;
    private final long fileOffset;
    private final String where;

    private StorageBytes(byte[] data, FileRegion.Stamp stamp, ZipArchive.Entry deflated,
        Reinflation reinflation, long length, long fileOffset, String where) {
      this.data = data;
      this.stamp = stamp;
      this.deflated = deflated;
      this.reinflation = reinflation;
      this.length = length;
      this.fileOffset = fileOffset;
      this.where = where;
    }

    static StorageBytes onHeap(byte[] data, long fileOffset, String where) {
      return new StorageBytes(data, null, null, null, data.length, fileOffset, where);
    }

    static StorageBytes inFile(FileRegion.Stamp stamp, long fileOffset, long length, String where) {
      return new StorageBytes(null, stamp, null, null, length, fileOffset, where);
    }

    /** A deflated zip entry whose compressed data is at {@code compressedAt}. */
    static StorageBytes deflatedInFile(FileRegion.Stamp stamp, long compressedAt,
        ZipArchive.Entry entry, Reinflation reinflation, String where) {
      return new StorageBytes(null, stamp, entry, reinflation, entry.size(), compressedAt,
          where + ", deflated");
    }

    /** Streams {@code [start, start + n)} of a deflated storage, inflated, to {@code sink}. */
    private void inflate(long start, long n, String what, byte[] buf, HostTensor.ChunkSink sink)
        throws IOException {
      reinflation.charge(stamp.file(), fileOffset, start + n, what);
      try (FileChannel ch = FileRegion.open(stamp, fileOffset, what)) {
        ZipArchive.inflate(stamp.file(), ch, fileOffset, deflated, start, n, buf, sink);
      }
    }

    long length() {
      return length;
    }

    long fileOffset() {
      return fileOffset;
    }

    String where() {
      return where;
    }

    /** The tensor of {@code bytes} contiguous bytes from {@code start}: a view or a file region. */
    HostTensor tensor(DType dtype, long[] size, long start, long bytes, String key) {
      if (data != null) {
        return HostTensor.of(dtype, size, ByteBuffer.wrap(data, (int) start, (int) bytes).slice());
      }
      if (deflated != null) {
        String what = "tensor '" + Describe.name(key) + "' (" + where + ")";
        return HostTensor.lazy(dtype, size, (buf, sink) -> inflate(start, bytes, what, buf, sink));
      }
      return HostTensor.lazy(
          dtype,
          size,
          new FileRegion(
              stamp, fileOffset + start, bytes, "tensor '" + Describe.name(key) + "' (" + where + ")"));
    }

    /** {@code [start, start + n)} of the storage on the heap (read from the file if there). */
    byte[] span(long start, long n) throws CheckpointFormatException {
      if (data != null) {
        return java.util.Arrays.copyOfRange(data, (int) start, (int) (start + n));
      }
      if (deflated != null) {
        reinflation.charge(stamp.file(), fileOffset, start + n, where);
        try (FileChannel ch = FileRegion.open(stamp, fileOffset, where)) {
          return ZipArchive.inflate(stamp.file(), ch, fileOffset, deflated, start, (int) n);
        } catch (CheckpointFormatException e) {
          throw e;
        } catch (IOException e) {
          throw new CheckpointFormatException(stamp.file(), fileOffset, "I/O error: "
              + e.getMessage(), e);
        }
      }
      try (FileChannel ch = FileChannel.open(stamp.file(), StandardOpenOption.READ)) {
        return ByteReader.ofChannel(stamp.file(), ch, fileOffset + start, n).bytes(n, where);
      } catch (CheckpointFormatException e) {
        throw e;
      } catch (IOException e) {
        throw new CheckpointFormatException(
            stamp.file(), fileOffset + start, "I/O error: " + e.getMessage(), e);
      }
    }
  }

  @FunctionalInterface
  interface StorageSource {
    StorageBytes get(StorageRef ref) throws CheckpointFormatException;
  }

  /** Turns a persistent id {@code ('storage', type, key, location, numel[, view])} into a ref. */
  static StorageRef storageRef(
      Path file, Object pid, long at, Map<String, StorageType> types, boolean legacy)
      throws CheckpointFormatException {
    if (!(pid instanceof Tuple t) || t.size() < 5) {
      throw new CheckpointFormatException(
          file,
          at,
          "expected a persistent id ('storage', storage_type, key, location, numel), found "
              + Describe.value(pid));
    }
    Object typename =
        t.get(0) instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : t.get(0);
    if (!"storage".equals(typename)) {
      throw new CheckpointFormatException(
          file,
          at,
          "persistent id of kind "
              + Describe.value(typename)
              + "; expected 'storage' (pickled modules or other objects are not weights)");
    }
    StorageType type;
    if (t.get(1) instanceof StorageType s) {
      type = s;
    } else if (t.get(1) instanceof DTypeRef d) {
      type =
          new StorageType(
              d.qualifiedName(), d.dtype(), d.dtype() == null ? 0 : d.dtype().byteSize());
    } else if (t.get(1) instanceof GlobalRef g) {
      throw new CheckpointFormatException(
          file,
          at,
          "storage type '"
              + g.qualifiedName()
              + "' is not supported; expected one of torch.FloatStorage, HalfStorage,"
              + " BFloat16Storage, DoubleStorage, LongStorage, IntStorage, ShortStorage,"
              + " CharStorage, ByteStorage, BoolStorage or torch.UntypedStorage");
    } else {
      throw new CheckpointFormatException(
          file,
          at,
          "expected a torch storage class in the persistent id, found " + Describe.value(t.get(1)));
    }
    Object k = t.get(2);
    if (!(k instanceof String) && !(k instanceof Long)) {
      throw new CheckpointFormatException(
          file,
          at,
          "expected a string storage key in the persistent id, found " + Describe.value(k));
    }
    String key = String.valueOf(k);
    String location = t.get(3) instanceof String s ? s : Describe.value(t.get(3));
    if (!(t.get(4) instanceof Long numel) || numel < 0) {
      throw new CheckpointFormatException(
          file,
          at,
          "expected a non-negative element count in the persistent id of storage '"
              + key
              + "', found "
              + Describe.value(t.get(4)));
    }
    StorageType known = types.putIfAbsent(key, type);
    if (known != null && known.elementSize() != type.elementSize() && legacy) {
      throw new CheckpointFormatException(
          file,
          at,
          "storage '"
              + key
              + "' is referred to as both '"
              + known.qualifiedName()
              + "' and '"
              + type.qualifiedName()
              + "'");
    }
    long viewOffset = 0;
    long viewSize = -1;
    if (t.size() > 5 && t.get(5) != null) {
      if (!(t.get(5) instanceof Tuple v)
          || v.size() != 3
          || !(v.get(1) instanceof Long off)
          || !(v.get(2) instanceof Long vs)
          || off < 0
          || vs < 0) {
        throw new CheckpointFormatException(
            file,
            at,
            "expected view metadata (view_key, offset, size) for storage '"
                + key
                + "', found "
                + Describe.value(t.get(5)));
      }
      viewOffset = off;
      viewSize = vs;
    }
    return new StorageRef(key, type, numel, location, viewOffset, viewSize);
  }

  private static StateDict finish(
      Path file,
      StateDictFinder.Found found,
      StorageSource source,
      long fileSize,
      List<String> notes,
      ReadOptions options)
      throws CheckpointFormatException {
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    long[] copyBudget = {fileSize};
    for (Map.Entry<String, TensorRef> e : found.tensors().entrySet()) {
      out.put(e.getKey(), materialise(file, e.getKey(), e.getValue(), source, copyBudget));
    }
    String dtypes = dtypeNote(out);
    if (dtypes != null) {
      notes.add(dtypes);
    }
    StateDict sd = StateDict.of(CheckpointFormatException.fileName(file), out, notes);
    return options.stripModulePrefix() ? sd.withPrefixStripped("module.") : sd;
  }

  /** Copies (or, when contiguous, wraps) the bytes of one tensor, bounds-checked. */
  static HostTensor materialise(
      Path file, String key, TensorRef t, StorageSource source, long[] copyBudget)
      throws CheckpointFormatException {
    StorageRef ref = t.storage();
    DType dtype = t.dtype();
    if (dtype == null) {
      throw new CheckpointFormatException(
          file,
          t.offset(),
          "tensor '"
              + key
              + "' is stored as '"
              + ref.type().qualifiedName()
              + "', which this reader does not support; expected one of "
              + TorchRebuild.supportedDtypes());
    }
    long[] size = t.size();
    long[] stride = t.stride();
    int es = dtype.byteSize();
    long numel;
    long bytes;
    long maxIndex = 0;
    try {
      numel = HostTensor.numel(size);
      bytes = Math.multiplyExact(numel, (long) es);
      for (int i = 0; i < size.length; i++) {
        if (size[i] > 0) {
          maxIndex = Math.addExact(maxIndex, Math.multiplyExact(size[i] - 1, stride[i]));
        }
      }
    } catch (ArithmeticException | IllegalArgumentException ex) {
      throw new CheckpointFormatException(
          file,
          t.offset(),
          "tensor '"
              + Describe.name(key)
              + "' has size "
              + Checks.shape(size)
              + " and stride "
              + Checks.shape(stride)
              + ", whose element count, byte size or extent overflow 64 bits");
    }
    if (numel == 0) {
      return HostTensor.of(dtype, size, ByteBuffer.allocate(0));
    }
    StorageBytes sb = source.get(ref);
    int storageElem = ref.type().elementSize() > 0 ? ref.type().elementSize() : es;
    long available;
    long needed;
    long start;
    try {
      long viewStart = Math.multiplyExact(ref.viewOffset(), (long) storageElem);
      available = sb.length() - viewStart;
      if (ref.viewSize() >= 0) {
        available = Math.min(available, Math.multiplyExact(ref.viewSize(), (long) storageElem));
      }
      needed = Math.multiplyExact(Math.addExact(Math.addExact(t.storageOffset(), maxIndex), 1), es);
      start = Math.addExact(viewStart, Math.multiplyExact(t.storageOffset(), es));
    } catch (ArithmeticException ex) {
      available = -1;
      needed = Long.MAX_VALUE;
      start = Long.MAX_VALUE;
    }
    if (available < 0 || needed > available) {
      long declared = ref.declaredNumel() * (long) storageElem;
      String extra =
          declared > sb.length()
              ? "; the pickle declares "
                  + ref.declaredNumel()
                  + " elements ("
                  + declared
                  + " bytes), so the file is truncated or damaged"
              : "";
      throw new CheckpointFormatException(
          file,
          sb.fileOffset(),
          "storage '"
              + Describe.name(ref.key())
              + "' ("
              + sb.where()
              + ") holds "
              + Math.max(0, available)
              + " bytes"
              + (ref.viewOffset() > 0 ? " from its view offset " + ref.viewOffset() : "")
              + ", tensor '"
              + Describe.name(key)
              + "' needs "
              + (needed == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(needed))
              + " ("
              + dtype.torchName()
              + " "
              + Checks.shape(size)
              + ", storage offset "
              + t.storageOffset()
              + ", stride "
              + Checks.shape(stride)
              + ")"
              + extra);
    }
    if (isContiguous(size, stride)) {
      return sb.tensor(dtype, size, start, bytes, key);
    }
    if (bytes > copyBudget[0] || bytes > Integer.MAX_VALUE - 16) {
      throw new CheckpointFormatException(
          file,
          t.offset(),
          "tensor '"
              + Describe.name(key)
              + "' "
              + Checks.shape(size)
              + " with stride "
              + Checks.shape(stride)
              + " would need "
              + bytes
              + " bytes as a contiguous copy, more than the "
              + copyBudget[0]
              + " bytes the file's data can still account for (overlapping or broadcast view);"
              + " refusing to allocate it");
    }
    copyBudget[0] -= bytes;
    byte[] dst = new byte[(int) bytes];
    // The span the view reaches (checked above to lie within the storage), on the heap.
    byte[] src = sb.span(start, needed - Math.multiplyExact(t.storageOffset(), es));
    int rank = size.length;
    long[] idx = new long[rank];
    long srcOff = 0;
    for (long n = 0; n < numel; n++) {
      System.arraycopy(src, (int) srcOff, dst, (int) (n * es), es);
      for (int d = rank - 1; d >= 0; d--) {
        idx[d]++;
        srcOff += stride[d] * es;
        if (idx[d] < size[d]) {
          break;
        }
        srcOff -= size[d] * stride[d] * es;
        idx[d] = 0;
      }
    }
    return HostTensor.of(dtype, size, ByteBuffer.wrap(dst));
  }

  /** Row-major contiguous, ignoring the strides of size-1 dimensions. */
  static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= size[d];
    }
    return true;
  }

  static List<String> placeholderNotes(List<Unpickler.UnknownGlobal> globals) {
    List<String> notes = new ArrayList<>();
    for (boolean allowListed : new boolean[] {true, false}) {
      Map<String, List<Long>> seen = new LinkedHashMap<>();
      for (Unpickler.UnknownGlobal g : globals) {
        if (g.allowListed() == allowListed) {
          seen.computeIfAbsent(g.qualifiedName(), x -> new ArrayList<>()).add(g.offset());
        }
      }
      if (seen.isEmpty()) {
        continue;
      }
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, List<Long>> e : seen.entrySet()) {
        List<Long> at = e.getValue();
        parts.add(
            "'"
                + Describe.name(e.getKey())
                + "' (at byte "
                + at.get(0)
                + (at.size() > 1 ? " and " + (at.size() - 1) + " more" : "")
                + ")");
      }
      notes.add(
          (allowListed
                  ? "inert data classes of the allow-list became inert placeholders, never"
                      + " imported or called: "
                  : "globals outside the allow-list (let through by --allow-unknown-globals)"
                      + " became inert placeholders, never imported or called: ")
              + Describe.list(parts, 20));
    }
    return notes;
  }

  static String dtypeNote(Map<String, HostTensor> tensors) {
    Map<String, Integer> counts = new TreeMap<>();
    boolean unusual = false;
    for (HostTensor t : tensors.values()) {
      counts.merge(t.dtype().torchName(), 1, Integer::sum);
      unusual |= t.dtype() != DType.F32 && t.dtype() != DType.I64;
    }
    if (!unusual) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((k, v) -> parts.add(v + " " + k));
    return "tensor dtypes: "
        + String.join(", ", parts)
        + " (kept as stored; floating-point ones become float32 when loaded into a model)";
  }
}
