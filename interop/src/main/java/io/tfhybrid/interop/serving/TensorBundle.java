package io.tfhybrid.interop.serving;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Reads a TensorFlow V2 checkpoint ({@code variables/variables.index} plus {@code
 * variables.data-NNNNN-of-NNNNN}) without a session: the index is an SSTable (LevelDB table format)
 * mapping each tensor name to a {@code BundleEntryProto} (dtype, shape, shard, offset, size, masked
 * CRC32C); the data files hold the raw little-endian bytes. This is what {@code
 * tf.train.list_variables} / {@code load_checkpoint} read.
 *
 * <p>Table blocks are stored raw or Snappy-compressed: Python TensorFlow compresses them (the
 * half_plus_two test models have a compressed data block), TensorFlow Java does not. Anything
 * truncated, out of range, failing its CRC or decompressing to other than its declared length is
 * a {@link CheckpointFormatException} that names the file and the byte offset; memory is bounded
 * by the file (a block decompresses to at most {@value #MAX_SNAPPY_RATIO} times its size).
 */
final class TensorBundle {
  private TensorBundle() {}

  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_LENGTH = 48;
  /** A block handle's trailer: one compression-type byte and a masked CRC32C. */
  private static final int BLOCK_TRAILER = 5;
  /** Snappy's largest expansion is a 3-byte copy of 64 bytes; anything above is malformed. */
  static final int MAX_SNAPPY_RATIO = 22;

  /** One index entry. */
  record Entry(String key, BundleEntryProto proto) {
    long[] shape() {
      TensorShapeProto s = proto.getShape();
      return s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    }
  }

  /** The header and entries of an index, in key order. */
  record Index(BundleHeaderProto header, List<Entry> entries) {}

  /**
   * A byte array being parsed: the file's own bytes ({@code region} null, positions are file
   * offsets from {@code fileOffset}) or bytes decompressed from the block at {@code fileOffset}
   * ({@code region} names it, and errors give the position inside the decompressed bytes).
   */
  private record Bytes(Path file, byte[] b, long fileOffset, String region) {
    CheckpointFormatException error(int at, String message) {
      return region == null
          ? new CheckpointFormatException(file, fileOffset + at, message)
          : new CheckpointFormatException(file, fileOffset, region + " byte " + at + ": " + message);
    }

    /** The bytes {@code [from, to)} as a value found at {@code from}. */
    Bytes slice(int from, int to) {
      byte[] copy = Arrays.copyOfRange(b, from, to);
      return region == null
          ? new Bytes(file, copy, fileOffset + from, null)
          : new Bytes(file, copy, fileOffset, region + " byte " + from + " +");
    }

    /** A LevelDB varint at {@code pos[0]} that ends before {@code limit}. */
    long varint(int[] pos, int limit, String what) throws CheckpointFormatException {
      int start = pos[0];
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos[0] >= limit) {
          throw error(start, what + ": expected a varint, found the end of its "
              + (limit - start) + "-byte region");
        }
        int x = b[pos[0]++] & 0xff;
        result |= (long) (x & 0x7f) << shift;
        if (x < 0x80) {
          return result;
        }
      }
      throw error(start, what + ": expected a varint of at most 10 bytes, found a longer one");
    }

    /** A varint that is a size or offset: in [0, max]. */
    int index(int[] pos, int limit, long max, String what) throws CheckpointFormatException {
      int at = pos[0];
      long v = varint(pos, limit, what);
      if (v < 0 || v > max) {
        throw error(at, what + ": expected 0.." + max + ", found " + Long.toUnsignedString(v));
      }
      return (int) v;
    }
  }

  static Index readIndex(Path indexFile) throws IOException {
    Bytes file = new Bytes(indexFile, Files.readAllBytes(indexFile), 0, null);
    int length = file.b().length;
    if (length < FOOTER_LENGTH) {
      throw file.error(0, "expected a tensor bundle index (an SSTable with a 48-byte footer),"
          + " found a " + length + "-byte file");
    }
    int footer = length - FOOTER_LENGTH;
    long magic = ByteBuffer.wrap(file.b()).order(ByteOrder.LITTLE_ENDIAN).getLong(length - 8);
    if (magic != TABLE_MAGIC) {
      throw file.error(length - 8, "expected the table magic " + Long.toHexString(TABLE_MAGIC)
          + " (a TensorFlow V2 checkpoint index), found " + Long.toHexString(magic));
    }
    int[] pos = {footer};
    file.varint(pos, length - 8, "metaindex offset");
    file.varint(pos, length - 8, "metaindex size");
    int indexOffset = file.index(pos, length - 8, footer, "index block offset");
    int indexSize = file.index(pos, length - 8, footer, "index block size");
    BundleHeaderProto header = null;
    List<Entry> entries = new ArrayList<>();
    for (KeyValue handle : block(file, indexOffset, indexSize)) {
      Bytes v = handle.value();
      int[] p = {0};
      int off = v.index(p, v.b().length, footer, "data block offset");
      int size = v.index(p, v.b().length, footer, "data block size");
      for (KeyValue e : block(file, off, size)) {
        String key = new String(e.key(), StandardCharsets.UTF_8);
        try {
          if (key.isEmpty()) {
            header = BundleHeaderProto.parseFrom(e.value().b());
          } else {
            entries.add(new Entry(key, BundleEntryProto.parseFrom(e.value().b())));
          }
        } catch (InvalidProtocolBufferException ex) {
          throw new CheckpointFormatException(indexFile, e.value().fileOffset(),
              "entry '" + key + "': expected a bundle proto, found bytes protobuf cannot parse ("
                  + ex.getMessage() + ")", ex);
        }
      }
    }
    if (header == null) {
      throw file.error(indexOffset, "expected a bundle header (the entry with the empty key),"
          + " found none");
    }
    return new Index(header, entries);
  }

  /** Reads one tensor's bytes from its shard and checks their CRC32C. */
  static HostTensor read(Path variablesPrefix, Index index, Entry e, DType dtype)
      throws IOException {
    BundleEntryProto p = e.proto();
    Path shard =
        Path.of(
            String.format(
                "%s.data-%05d-of-%05d",
                variablesPrefix, p.getShardId(), index.header().getNumShards()));
    if (index.header().getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
      throw new CheckpointFormatException(shard, -1,
          "expected a little-endian checkpoint, found a big-endian one");
    }
    long[] shape = e.shape();
    long bytes = dtype.byteSize();
    for (long d : shape) {
      if (d < 0 || (d > 0 && bytes > Long.MAX_VALUE / d)) {
        throw new CheckpointFormatException(shard, p.getOffset(), "tensor '" + e.key()
            + "': expected a shape of non-negative dimensions, found "
            + Arrays.toString(shape));
      }
      bytes *= d;
    }
    if (p.getSize() != bytes) {
      throw new CheckpointFormatException(shard, p.getOffset(), "tensor '" + e.key() + "' "
          + dtype + " " + Arrays.toString(shape) + ": expected " + bytes + " bytes, the index"
          + " says " + p.getSize());
    }
    byte[] data;
    try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
      if (p.getOffset() < 0 || p.getOffset() > ch.size() - bytes) {
        throw new CheckpointFormatException(shard, p.getOffset(), "tensor '" + e.key()
            + "': expected bytes " + p.getOffset() + ".." + (p.getOffset() + bytes)
            + " inside the file, found a " + ch.size() + "-byte file");
      }
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new CheckpointFormatException(shard, p.getOffset(), "tensor '" + e.key()
            + "': expected at most 2 GiB per tensor, found " + bytes + " bytes");
      }
      data = new byte[(int) bytes];
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        if (ch.read(b, p.getOffset() + b.position()) < 0) {
          throw new CheckpointFormatException(shard, p.getOffset() + b.position(),
              "tensor '" + e.key() + "': the file ended while reading it");
        }
      }
    }
    int crc = TfRecords.mask(crc32c(data, 0, data.length));
    if (crc != p.getCrc32C()) {
      throw new CheckpointFormatException(shard, p.getOffset(), "tensor '" + e.key()
          + "': expected CRC32C " + Integer.toHexString(p.getCrc32C()) + ", found "
          + Integer.toHexString(crc));
    }
    return HostTensor.of(dtype, shape, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** One table entry: its full key and its value (with the value's place in the file). */
  private record KeyValue(byte[] key, Bytes value) {}

  /** The entries of the table block at {@code offset}, after its trailer's type and CRC. */
  private static List<KeyValue> block(Bytes file, int offset, int size)
      throws CheckpointFormatException {
    byte[] f = file.b();
    if ((long) offset + size + BLOCK_TRAILER > f.length) {
      throw file.error(offset, "expected a block of " + size + " bytes and its 5-byte trailer"
          + " inside the " + f.length + "-byte file, found it runs past the end");
    }
    int type = f[offset + size];
    int stored = ByteBuffer.wrap(f, offset + size + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    CRC32C crc = new CRC32C();
    crc.update(f, offset, size + 1);
    if (stored != TfRecords.mask((int) crc.getValue())) {
      throw file.error(offset, "block of " + size + " bytes: expected masked CRC32C "
          + Integer.toHexString(TfRecords.mask((int) crc.getValue())) + ", found "
          + Integer.toHexString(stored));
    }
    Bytes data;
    int start;
    int end;
    if (type == 0) {
      data = file;
      start = offset;
      end = offset + size;
    } else if (type == 1) {
      data = new Bytes(file.file(), snappy(file, offset, size), offset,
          "snappy block at " + offset + ", decompressed");
      start = 0;
      end = data.b().length;
    } else {
      throw file.error(offset + size, "block of " + size + " bytes: expected compression type 0"
          + " (none) or 1 (snappy), found " + type);
    }
    return entries(data, start, end);
  }

  /** The entries of a block's bytes {@code [start, end)}: prefix-compressed keys, then restarts. */
  private static List<KeyValue> entries(Bytes data, int start, int end)
      throws CheckpointFormatException {
    byte[] f = data.b();
    int size = end - start;
    if (size < 4) {
      throw data.error(start, "expected a block with a 4-byte restart count, found " + size
          + " bytes");
    }
    int numRestarts = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt(end - 4);
    if (numRestarts < 0 || numRestarts > (size - 4) / 4) {
      throw data.error(end - 4, "expected a restart count of 0.." + (size - 4) / 4
          + " for a " + size + "-byte block, found " + numRestarts);
    }
    int limit = end - 4 - 4 * numRestarts;
    List<KeyValue> out = new ArrayList<>();
    byte[] prev = new byte[0];
    int[] pos = {start};
    while (pos[0] < limit) {
      int at = pos[0];
      int shared = data.index(pos, limit, prev.length, "entry key prefix");
      int nonShared = data.index(pos, limit, limit, "entry key length");
      int valueLength = data.index(pos, limit, limit, "entry value length");
      if ((long) pos[0] + nonShared + valueLength > limit) {
        throw data.error(at, "expected an entry of " + (nonShared + (long) valueLength)
            + " key and value bytes inside its block, found it runs "
            + (pos[0] + nonShared + (long) valueLength - limit) + " bytes past the entries");
      }
      byte[] key = new byte[shared + nonShared];
      System.arraycopy(prev, 0, key, 0, shared);
      System.arraycopy(f, pos[0], key, shared, nonShared);
      pos[0] += nonShared;
      out.add(new KeyValue(key, data.slice(pos[0], pos[0] + valueLength)));
      pos[0] += valueLength;
      prev = key;
    }
    return out;
  }

  /** {@link #snappy(Bytes, int, int)} of a whole array (errors name {@code file}). */
  static byte[] snappy(Path file, byte[] in) throws CheckpointFormatException {
    return snappy(new Bytes(file, in, 0, null), 0, in.length);
  }

  /**
   * Snappy raw-format decompression of the file's bytes {@code [off, off + len)}
   * (format_description.txt of google/snappy): a varint length, then literals and back-copies,
   * every one checked against both buffers.
   */
  private static byte[] snappy(Bytes file, int off, int len) throws CheckpointFormatException {
    byte[] in = file.b();
    int end = off + len;
    int[] pos = {off};
    long declared = file.varint(pos, end, "snappy block length");
    long most = Math.min((long) MAX_SNAPPY_RATIO * len, Integer.MAX_VALUE - 8);
    if (declared > most) {
      throw file.error(off, "snappy block of " + len + " bytes: expected a decompressed length"
          + " of at most " + most + ", found " + declared);
    }
    int n = (int) declared;
    byte[] out = new byte[n];
    int o = 0;
    while (pos[0] < end) {
      int at = pos[0];
      int tag = in[pos[0]++] & 0xff;
      int kind = tag & 3;
      long l;
      long distance = 0;
      int header = kind == 0 ? Math.max(0, (tag >>> 2) - 59) : kind == 3 ? 4 : kind;
      if (pos[0] + header > end) {
        throw file.error(at, "snappy element: expected " + header + " more header bytes, found "
            + (end - pos[0]));
      }
      if (kind == 0) {
        l = tag >>> 2;
        if (l >= 60) {
          l = 0;
          for (int i = 0; i < header; i++) {
            l |= (long) (in[pos[0]++] & 0xff) << (8 * i);
          }
        }
        l += 1;
        if (l > end - pos[0] || l > n - o) {
          throw file.error(at, "snappy literal of " + l + " bytes: expected at most "
              + Math.min(end - pos[0], n - o) + " (the rest of the block and of the output)");
        }
        System.arraycopy(in, pos[0], out, o, (int) l);
        pos[0] += (int) l;
        o += (int) l;
        continue;
      }
      if (kind == 1) {
        l = 4 + ((tag >>> 2) & 7);
        distance = ((tag >>> 5) << 8) | (in[pos[0]] & 0xff);
      } else if (kind == 2) {
        l = (tag >>> 2) + 1;
        distance = (in[pos[0]] & 0xff) | (in[pos[0] + 1] & 0xff) << 8;
      } else {
        l = (tag >>> 2) + 1;
        distance = ByteBuffer.wrap(in, pos[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
            & 0xffffffffL;
      }
      pos[0] += header;
      if (distance <= 0 || distance > o || l > n - o) {
        throw file.error(at, "snappy copy of " + l + " bytes from " + distance
            + " back at output byte " + o + ": expected a distance of 1.." + o
            + " and at most " + (n - o) + " bytes");
      }
      for (int i = 0; i < l; i++) {
        out[o + i] = out[(int) (o - distance) + i];
      }
      o += (int) l;
    }
    if (o != n) {
      throw file.error(off, "snappy block of " + len + " bytes: expected " + n
          + " decompressed bytes, found " + o);
    }
    return out;
  }

  private static int crc32c(byte[] data, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(data, off, len);
    return (int) c.getValue();
  }
}
