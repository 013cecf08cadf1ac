package io.tfhybrid.interop.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sequential little-endian reads over a region of a file (through a small window, so a multi-GB
 * legacy checkpoint is never held in memory) or over a byte array. Every read checks the remaining
 * length first: a length field larger than what is left is a {@link CheckpointFormatException},
 * never an allocation.
 */
final class ByteReader {
  private static final int WINDOW = 1 << 16;

  private final Path file;
  private final FileChannel channel; // null: array mode
  private final long regionStart; // file offset of position 0 (channel mode) or for messages
  private final long length;
  private final String regionName; // e.g. "entry 'archive/data.pkl'", or null for the whole file

  private byte[] window;
  private long windowStart; // logical position of window[0]
  private int windowLength;
  private long pos;

  private ByteReader(
      Path file,
      FileChannel channel,
      long regionStart,
      long length,
      byte[] array,
      String regionName) {
    this.file = file;
    this.channel = channel;
    this.regionStart = regionStart;
    this.length = length;
    this.regionName = regionName;
    if (array != null) {
      this.window = array;
      this.windowStart = 0;
      this.windowLength = array.length;
    } else {
      this.window = new byte[0];
      this.windowStart = 0;
      this.windowLength = 0;
    }
  }

  /** Reads {@code [start, start + length)} of an open file. */
  static ByteReader ofChannel(Path file, FileChannel channel, long start, long length) {
    return new ByteReader(file, channel, start, length, null, null);
  }

  /**
   * Reads an in-memory array; {@code fileOffset} is where the array's first byte lies in the file
   * (-1 when it has no single place, e.g. an inflated zip entry), and {@code regionName} names it.
   */
  static ByteReader ofArray(Path file, byte[] data, long fileOffset, String regionName) {
    return new ByteReader(file, null, fileOffset, data.length, data, regionName);
  }

  Path file() {
    return file;
  }

  long position() {
    return pos;
  }

  long length() {
    return length;
  }

  long remaining() {
    return length - pos;
  }

  /** The file offset of logical position {@code p}, or -1 when the data has no file offset. */
  long fileOffset(long p) {
    return regionStart < 0 ? -1 : regionStart + p;
  }

  void seek(long p) throws CheckpointFormatException {
    if (p < 0 || p > length) {
      throw fail(pos, "cannot seek to byte " + p + " of a region of " + length + " bytes");
    }
    pos = p;
  }

  void skip(long n, String what) throws CheckpointFormatException {
    require(n, what);
    pos += n;
  }

  int u8(String what) throws CheckpointFormatException {
    ensure(1, what);
    return window[(int) (pos++ - windowStart)] & 0xff;
  }

  int u16(String what) throws CheckpointFormatException {
    ensure(2, what);
    int i = (int) (pos - windowStart);
    pos += 2;
    return (window[i] & 0xff) | (window[i + 1] & 0xff) << 8;
  }

  int i32(String what) throws CheckpointFormatException {
    ensure(4, what);
    int i = (int) (pos - windowStart);
    pos += 4;
    return (window[i] & 0xff)
        | (window[i + 1] & 0xff) << 8
        | (window[i + 2] & 0xff) << 16
        | (window[i + 3] & 0xff) << 24;
  }

  long u32(String what) throws CheckpointFormatException {
    return i32(what) & 0xffffffffL;
  }

  long i64(String what) throws CheckpointFormatException {
    ensure(8, what);
    ByteBuffer b =
        ByteBuffer.wrap(window, (int) (pos - windowStart), 8).order(ByteOrder.LITTLE_ENDIAN);
    pos += 8;
    return b.getLong();
  }

  /**
   * Reads {@code n} bytes. {@code n} is checked against what is left before anything is allocated.
   */
  byte[] bytes(long n, String what) throws CheckpointFormatException {
    require(n, what);
    if (n > Integer.MAX_VALUE - 16) {
      throw fail(pos, what + " is " + n + " bytes; values over 2 GiB are not supported");
    }
    byte[] out = new byte[(int) n];
    long inWindow = windowStart + windowLength - pos;
    if (pos >= windowStart && inWindow >= n) {
      System.arraycopy(window, (int) (pos - windowStart), out, 0, (int) n);
    } else {
      readFromChannel(pos, out, 0, (int) n);
    }
    pos += n;
    return out;
  }

  /** Reads the next {@code n} bytes into {@code dst[0, n)} (no allocation). */
  void readFully(byte[] dst, int n, String what) throws CheckpointFormatException {
    require(n, what);
    readFromChannel(pos, dst, 0, n);
    pos += n;
  }

  /** Bytes up to (not including) the next {@code '\n'}, as UTF-8 (pickle protocol 0 lines). */
  String line(String what) throws CheckpointFormatException {
    return new String(lineBytes(what), StandardCharsets.UTF_8);
  }

  /** Bytes up to (not including) the next {@code '\n'}. */
  byte[] lineBytes(String what) throws CheckpointFormatException {
    long start = pos;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while (true) {
      if (pos >= length) {
        throw fail(
            start, "truncated: " + what + " has no terminating newline before the end of the data");
      }
      int b = u8(what);
      if (b == '\n') {
        return out.toByteArray();
      }
      out.write(b);
    }
  }

  /** A format error at logical position {@code p}. */
  CheckpointFormatException fail(long p, String message) {
    String where =
        regionName == null
            ? ""
            : " (in " + regionName + (regionStart < 0 ? ", byte " + p : "") + ")";
    return new CheckpointFormatException(file, fileOffset(p), message + where);
  }

  private void require(long n, String what) throws CheckpointFormatException {
    if (n < 0) {
      throw fail(pos, what + " has a negative length (" + n + ")");
    }
    if (n > length - pos) {
      throw fail(
          pos,
          "truncated: " + what + " needs " + n + " bytes, but only " + (length - pos) + " remain");
    }
  }

  private void ensure(int n, String what) throws CheckpointFormatException {
    require(n, what);
    if (pos >= windowStart && pos + n <= windowStart + windowLength) {
      return;
    }
    if (channel == null) {
      throw new IllegalStateException("array reader out of its window at " + pos);
    }
    int size = (int) Math.min(Math.max(WINDOW, n), length - pos);
    if (window.length < size) {
      window = new byte[size];
    }
    readFromChannel(pos, window, 0, size);
    windowStart = pos;
    windowLength = size;
  }

  private void readFromChannel(long p, byte[] dst, int off, int n)
      throws CheckpointFormatException {
    if (channel == null) {
      throw new IllegalStateException("array reader asked to read outside its data at " + p);
    }
    ByteBuffer b = ByteBuffer.wrap(dst, off, n);
    try {
      long at = regionStart + p;
      while (b.hasRemaining()) {
        int r = channel.read(b, at);
        if (r < 0) {
          throw fail(p, "truncated: the file ended while reading " + n + " bytes");
        }
        at += r;
      }
    } catch (CheckpointFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new CheckpointFormatException(file, fileOffset(p), "I/O error: " + e.getMessage(), e);
    }
  }
}
