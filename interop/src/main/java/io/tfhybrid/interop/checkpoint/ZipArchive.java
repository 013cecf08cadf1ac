package io.tfhybrid.interop.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal zip reader (stored and deflated entries, zip64) over an open file. We read the central
 * directory ourselves rather than through {@code java.util.zip.ZipFile} so that errors carry file
 * offsets, entries are read by position (only the storages a state dict needs), and every length is
 * checked against the file before anything is allocated.
 */
final class ZipArchive {
  private static final int EOCD_SIG = 0x06054b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int LOCAL_SIG = 0x04034b50;
  private static final int MAX_COMMENT = 0xffff;

  /** Deflate cannot expand data by more than about 1032:1. */
  private static final long MAX_DEFLATE_RATIO = 1032;

  /** One entry of the central directory. */
  record Entry(
      String name,
      int method,
      int flags,
      long crc,
      long compressedSize,
      long size,
      long localHeaderOffset) {}

  private final Path file;
  private final FileChannel channel;
  private final long fileSize;
  private final long centralStart;
  private final Map<String, Entry> entries;
  private final ReadLimits limits;
  private final long inflateBudget;
  private long inflated;

  private ZipArchive(
      Path file,
      FileChannel channel,
      long fileSize,
      long centralStart,
      Map<String, Entry> entries,
      ReadLimits limits) {
    this.file = file;
    this.channel = channel;
    this.fileSize = fileSize;
    this.centralStart = centralStart;
    this.entries = entries;
    this.limits = limits;
    this.inflateBudget = limits.budget(fileSize);
  }

  /** The archive with the default {@link ReadLimits}. */
  static ZipArchive open(Path file, FileChannel channel) throws CheckpointFormatException {
    return open(file, channel, ReadLimits.defaults());
  }

  /**
   * Reads the central directory. Entries must not overlap: sorted by their local header, each one's
   * header and data end before the next begins (a zip bomb points many entries at one deflated
   * local entry). The total inflated by {@link #read} is bounded by {@code limits}.
   */
  static ZipArchive open(Path file, FileChannel channel, ReadLimits limits)
      throws CheckpointFormatException {
    long fileSize = size(file, channel);
    int tailLength = (int) Math.min(fileSize, 22L + MAX_COMMENT + 20);
    long tailStart = fileSize - tailLength;
    byte[] tail =
        ByteReader.ofChannel(file, channel, tailStart, tailLength)
            .bytes(tailLength, "the zip tail");
    ByteBuffer t = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = -1;
    for (int i = tailLength - 22; i >= 0; i--) {
      if (t.getInt(i) == EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new CheckpointFormatException(
          file,
          fileSize,
          "truncated or not a valid zip archive: expected an end-of-central-directory record"
              + " (PK\\5\\6) in the last "
              + tailLength
              + " bytes, found none; the file is "
              + fileSize
              + " bytes long (was the download or the save interrupted?)");
    }
    long eocdPos = tailStart + eocd;
    long entryCount = t.getShort(eocd + 10) & 0xffffL;
    long cdSize = t.getInt(eocd + 12) & 0xffffffffL;
    long cdOffset = t.getInt(eocd + 16) & 0xffffffffL;
    if (entryCount == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
      int loc = eocd - 20;
      if (loc >= 0 && t.getInt(loc) == ZIP64_LOCATOR_SIG) {
        long z64 = t.getLong(loc + 8);
        if (z64 < 0 || z64 + 56 > eocdPos) {
          throw new CheckpointFormatException(
              file,
              eocdPos - 20,
              "zip64 end-of-central-directory locator points to byte "
                  + z64
                  + ", outside the file's "
                  + fileSize
                  + " bytes (truncated or damaged)");
        }
        ByteBuffer z =
            ByteBuffer.wrap(
                    ByteReader.ofChannel(file, channel, z64, 56).bytes(56, "the zip64 record"))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (z.getInt(0) != ZIP64_EOCD_SIG) {
          throw new CheckpointFormatException(
              file,
              z64,
              "expected a zip64 end-of-central-directory record (PK\\6\\6), found other bytes");
        }
        entryCount = z.getLong(32);
        cdSize = z.getLong(40);
        cdOffset = z.getLong(48);
      }
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset > eocdPos || cdSize > eocdPos - cdOffset) {
      throw new CheckpointFormatException(
          file,
          eocdPos,
          "truncated or damaged zip archive: the central directory claims bytes "
              + cdOffset
              + ".."
              + (cdOffset + cdSize)
              + ", but its end record is at byte "
              + eocdPos);
    }
    if (entryCount < 0 || entryCount > cdSize / 46) {
      throw new CheckpointFormatException(
          file,
          eocdPos,
          "damaged zip archive: "
              + entryCount
              + " entries cannot fit in a central directory of "
              + cdSize
              + " bytes");
    }
    ByteReader cd = ByteReader.ofChannel(file, channel, cdOffset, cdSize);
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (long i = 0; i < entryCount; i++) {
      long at = cd.position();
      int sig = cd.i32("a central directory header");
      if (sig != CENTRAL_SIG) {
        throw cd.fail(
            at,
            "expected central directory header "
                + (i + 1)
                + " of "
                + entryCount
                + " (PK\\1\\2), found other bytes (damaged zip)");
      }
      cd.skip(4, "a central directory header");
      int flags = cd.u16("entry flags");
      int method = cd.u16("entry method");
      cd.skip(4, "entry time");
      long crc = cd.u32("entry crc");
      long csize = cd.u32("entry size");
      long usize = cd.u32("entry size");
      int nameLen = cd.u16("entry name length");
      int extraLen = cd.u16("entry extra length");
      int commentLen = cd.u16("entry comment length");
      cd.skip(8, "entry attributes");
      long lho = cd.u32("entry offset");
      String name = new String(cd.bytes(nameLen, "an entry name"), StandardCharsets.UTF_8);
      long extraEnd = cd.position() + extraLen;
      while (cd.position() + 4 <= extraEnd) {
        int id = cd.u16("an extra field");
        int len = cd.u16("an extra field");
        long next = cd.position() + len;
        if (next > extraEnd) {
          throw cd.fail(
              cd.position(),
              "extra field of entry '" + Describe.name(name) + "' runs past its header (damaged zip)");
        }
        if (id == 0x0001) {
          if (usize == 0xffffffffL && cd.position() + 8 <= next) {
            usize = cd.i64("zip64 size");
          }
          if (csize == 0xffffffffL && cd.position() + 8 <= next) {
            csize = cd.i64("zip64 size");
          }
          if (lho == 0xffffffffL && cd.position() + 8 <= next) {
            lho = cd.i64("zip64 offset");
          }
        }
        cd.seek(next);
      }
      cd.seek(extraEnd);
      cd.skip(commentLen, "an entry comment");
      if (csize < 0 || usize < 0 || lho < 0 || lho > cdOffset || csize > cdOffset - lho) {
        throw cd.fail(
            at,
            "entry '"
                + Describe.name(name)
                + "' claims "
                + csize
                + " bytes at byte "
                + lho
                + ", beyond the entries' area (bytes 0.."
                + cdOffset
                + "); truncated or damaged zip");
      }
      if ((flags & 1) != 0) {
        throw cd.fail(at, "entry '" + Describe.name(name) + "' is encrypted; expected an unencrypted archive");
      }
      if (method != 0 && method != 8) {
        throw cd.fail(
            at,
            "entry '"
                + Describe.name(name)
                + "' uses compression method "
                + method
                + "; expected 0 (stored) or 8 (deflate)");
      }
      if (method == 0 && csize != usize) {
        throw cd.fail(
            at,
            "stored entry '"
                + Describe.name(name)
                + "' has size "
                + usize
                + " but "
                + csize
                + " bytes of data (damaged zip)");
      }
      if (method == 8 && usize / MAX_DEFLATE_RATIO > csize) {
        throw cd.fail(
            at,
            "entry '"
                + Describe.name(name)
                + "' claims to inflate "
                + csize
                + " bytes to "
                + usize
                + ", more than deflate can (damaged or hostile zip)");
      }
      if (entries.putIfAbsent(name, new Entry(name, method, flags, crc, csize, usize, lho))
          != null) {
        throw cd.fail(
            at, "entry '" + Describe.name(name) + "' appears twice in the zip directory; expected unique names");
      }
    }
    checkNoOverlap(file, entries.values(), cdOffset);
    return new ZipArchive(
        file, channel, fileSize, cdOffset, Collections.unmodifiableMap(entries), limits);
  }

  private static void checkNoOverlap(Path file, Collection<Entry> entries, long cdOffset)
      throws CheckpointFormatException {
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::localHeaderOffset));
    for (int i = 1; i < byOffset.size(); i++) {
      Entry prev = byOffset.get(i - 1);
      Entry next = byOffset.get(i);
      // A local header is at least 30 bytes plus the name; the data follows it.
      long prevEnd = prev.localHeaderOffset() + 30 + prev.compressedSize();
      if (next.localHeaderOffset() < prevEnd) {
        throw new CheckpointFormatException(
            file,
            next.localHeaderOffset(),
            "zip entries '"
                + Describe.name(prev.name())
                + "' (local header at byte "
                + prev.localHeaderOffset()
                + ", "
                + prev.compressedSize()
                + " bytes of data) and '"
                + Describe.name(next.name())
                + "' (local header at byte "
                + next.localHeaderOffset()
                + ") overlap; expected each entry's data to end before the next entry begins"
                + " (overlapping entries are a zip bomb or a damaged archive)");
      }
    }
  }

  Path file() {
    return file;
  }

  long fileSize() {
    return fileSize;
  }

  /** Entries in directory order. */
  List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }

  List<String> names() {
    return new ArrayList<>(entries.keySet());
  }

  /** The entry called {@code name}, or null when there is none. */
  Entry find(String name) {
    return entries.get(name);
  }

  /** File offset of the entry's data (after its local header). */
  long dataOffset(Entry e) throws CheckpointFormatException {
    ByteReader h =
        ByteReader.ofChannel(
            file, channel, e.localHeaderOffset(), Math.min(30, fileSize - e.localHeaderOffset()));
    if (h.length() < 30 || h.i32("a local header") != LOCAL_SIG) {
      throw new CheckpointFormatException(
          file,
          e.localHeaderOffset(),
          "expected the local header (PK\\3\\4) of entry '"
              + Describe.name(e.name())
              + "', found other bytes (damaged zip)");
    }
    h.seek(26);
    int nameLen = h.u16("local name length");
    int extraLen = h.u16("local extra length");
    long data = e.localHeaderOffset() + 30 + nameLen + extraLen;
    if (data > centralStart || e.compressedSize() > centralStart - data) {
      throw new CheckpointFormatException(
          file,
          e.localHeaderOffset(),
          "truncated or damaged zip: data of entry '"
              + Describe.name(e.name())
              + "' ("
              + e.compressedSize()
              + " bytes from byte "
              + data
              + ") runs into the central directory at byte "
              + centralStart);
    }
    return data;
  }

  /** A reader over the entry's (uncompressed) bytes. */
  ByteReader reader(Entry e) throws CheckpointFormatException {
    long data = dataOffset(e);
    if (e.method() == 0) {
      return ByteReader.ofChannel(file, channel, data, e.size());
    }
    return ByteReader.ofArray(file, read(e), -1, "deflated entry '" + Describe.name(e.name()) + "'");
  }

  /**
   * Checks a stored (uncompressed) entry's CRC-32 by streaming its bytes through a small buffer
   * (nothing the size of the entry is allocated) and returns the file offset of its data, which
   * can then be read in place.
   */
  long verifyStored(Entry e) throws CheckpointFormatException {
    long data = dataOffset(e);
    if (e.method() != 0) {
      throw new IllegalStateException("entry '" + e.name() + "' is not stored");
    }
    if (e.crc() != 0) {
      CRC32 crc = new CRC32();
      byte[] buf = new byte[(int) Math.min(FileRegion.CHUNK, Math.max(1, e.size()))];
      ByteReader r = ByteReader.ofChannel(file, channel, data, e.size());
      for (long done = 0; done < e.size(); ) {
        int n = (int) Math.min(buf.length, e.size() - done);
        r.readFully(buf, n, "entry '" + Describe.name(e.name()) + "'");
        crc.update(buf, 0, n);
        done += n;
      }
      checkCrc(e, data, crc);
    }
    return data;
  }

  /**
   * Checks a deflated entry by inflating it through a small buffer (CRC-32 and size; charged to
   * the inflation budget like {@link #read}, nothing of the entry's size allocated) and returns
   * the file offset of its compressed data, from which {@link #inflate} streams it again.
   */
  long verifyDeflated(Entry e) throws CheckpointFormatException {
    long data = dataOffset(e);
    if (e.method() != 8) {
      throw new IllegalStateException("entry '" + e.name() + "' is not deflated");
    }
    charge(e, data);
    CRC32 crc = new CRC32();
    inflate(file, channel, data, e, 0, e.size(),
        new byte[(int) Math.min(FileRegion.CHUNK, Math.max(1, e.size()))], crc::update);
    if (e.crc() != 0) {
      checkCrc(e, data, crc);
    }
    return data;
  }

  /** Charges one full inflation of {@code e} to the read limit, or fails naming it. */
  private void charge(Entry e, long data) throws CheckpointFormatException {
    if (e.size() > inflateBudget - inflated) {
      throw new CheckpointFormatException(
          file,
          data,
          "deflated entry '"
              + Describe.name(e.name())
              + "' inflates to "
              + e.size()
              + " bytes; with the "
              + inflated
              + " bytes inflated before it that exceeds the read limit of "
              + limits.describe(fileSize, "the file")
              + " (a zip bomb?); "
              + ReadLimits.howToRaise());
    }
    inflated += e.size();
  }

  /** Bytes {@code [skip, skip + n)} of deflated entry {@code e}, inflated onto the heap. */
  static byte[] inflate(Path file, FileChannel ch, long data, Entry e, long skip, int n)
      throws CheckpointFormatException {
    byte[] out = new byte[n];
    int[] at = {0};
    inflate(file, ch, data, e, skip, n, new byte[Math.min(FileRegion.CHUNK, Math.max(1, n))],
        (buf, off, len) -> {
          System.arraycopy(buf, off, out, at[0], len);
          at[0] += len;
        });
    return out;
  }

  /**
   * Streams bytes {@code [skip, skip + length)} of deflated entry {@code e} (compressed data at
   * {@code data} of {@code ch}) to {@code sink}, inflating through {@code out} and a 64 KiB input
   * buffer.
   */
  static void inflate(Path file, FileChannel ch, long data, Entry e, long skip, long length,
      byte[] out, io.tfhybrid.nn.HostTensor.ChunkSink sink) throws CheckpointFormatException {
    String what = "deflated entry '" + Describe.name(e.name()) + "'";
    ByteReader src = ByteReader.ofChannel(file, ch, data, e.compressedSize());
    byte[] in = new byte[(int) Math.min(1 << 16, Math.max(1, e.compressedSize()))];
    long end = skip + length;
    long produced = 0;
    Inflater inf = new Inflater(true);
    try {
      while (produced < end && !inf.finished()) {
        if (inf.needsInput()) {
          if (src.remaining() == 0) {
            break;
          }
          int n = (int) Math.min(in.length, src.remaining());
          src.readFully(in, n, what);
          inf.setInput(in, 0, n);
        }
        int r = inf.inflate(out, 0, (int) Math.min(out.length, end - produced));
        if (r == 0 && !inf.needsInput()) {
          break; // a preset dictionary or the stream's end: nothing more comes
        }
        long from = Math.max(produced, skip);
        if (from < produced + r) {
          sink.accept(out, (int) (from - produced), (int) (produced + r - from));
        }
        produced += r;
      }
    } catch (DataFormatException ex) {
      throw new CheckpointFormatException(file, data, what + " is damaged: " + ex.getMessage(), ex);
    } finally {
      inf.end();
    }
    if (produced < end) {
      throw new CheckpointFormatException(
          file,
          data,
          what + " inflates to " + produced + " bytes, expected " + e.size() + " (damaged zip)");
    }
  }

  private void checkCrc(Entry e, long data, CRC32 crc) throws CheckpointFormatException {
    if (crc.getValue() != e.crc()) {
      throw new CheckpointFormatException(
          file,
          data,
          String.format(
              "entry '%s' fails its CRC-32 check: expected %08x, found %08x (damaged file)",
              e.name(), e.crc(), crc.getValue()));
    }
  }

  /** The entry's uncompressed bytes, CRC-checked (at most 2 GiB). */
  byte[] read(Entry e) throws CheckpointFormatException {
    long data = dataOffset(e);
    if (e.size() > Integer.MAX_VALUE - 16) {
      throw new CheckpointFormatException(
          file,
          data,
          "entry '"
              + Describe.name(e.name())
              + "' is "
              + e.size()
              + " bytes; entries over 2 GiB are not supported");
    }
    byte[] out;
    if (e.method() == 0) {
      out =
          ByteReader.ofChannel(file, channel, data, e.compressedSize())
              .bytes(e.compressedSize(), "entry '" + Describe.name(e.name()) + "'");
    } else {
      charge(e, data);
      out = inflate(file, channel, data, e, 0, (int) e.size());
    }
    if (e.crc() != 0) {
      CRC32 crc = new CRC32();
      crc.update(out);
      checkCrc(e, data, crc);
    }
    return out;
  }

  private static long size(Path file, FileChannel channel) throws CheckpointFormatException {
    try {
      return channel.size();
    } catch (java.io.IOException ex) {
      throw new CheckpointFormatException(file, -1, "I/O error: " + ex.getMessage(), ex);
    }
  }
}
