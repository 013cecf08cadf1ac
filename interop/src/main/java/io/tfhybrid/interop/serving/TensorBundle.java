package io.tfhybrid.interop.serving;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
 * variables.data-NNNNN-of-NNNNN}) without a session: the index is an SSTable (LevelDB table format,
 * blocks optionally Snappy-compressed) mapping each tensor name to a {@code BundleEntryProto}
 * (dtype, shape, shard, offset, size, masked CRC32C); the data files hold the raw little-endian
 * bytes. This is what {@code tf.train.list_variables} / {@code load_checkpoint} read.
 */
final class TensorBundle {
  private TensorBundle() {}

  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_LENGTH = 48;

  /** One index entry. */
  record Entry(String key, BundleEntryProto proto) {
    long[] shape() {
      TensorShapeProto s = proto.getShape();
      return s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    }
  }

  /** The header and entries of an index, in key order. */
  record Index(BundleHeaderProto header, List<Entry> entries) {}

  static Index readIndex(Path indexFile) throws IOException {
    byte[] file = Files.readAllBytes(indexFile);
    String name = "'" + indexFile + "'";
    if (file.length < FOOTER_LENGTH) {
      throw new IOException(
          name
              + " is "
              + file.length
              + " bytes; expected a tensor bundle index"
              + " (an SSTable with a 48-byte footer)");
    }
    ByteBuffer footer =
        ByteBuffer.wrap(file, file.length - FOOTER_LENGTH, FOOTER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    long magic = footer.getLong(file.length - 8);
    if (magic != TABLE_MAGIC) {
      throw new IOException(
          name
              + ": bad table magic "
              + Long.toHexString(magic)
              + ", expected "
              + Long.toHexString(TABLE_MAGIC)
              + " (not a TensorFlow V2 checkpoint index)");
    }
    int[] pos = {file.length - FOOTER_LENGTH};
    varint(file, pos); // metaindex offset
    varint(file, pos); // metaindex size
    long indexOffset = varint(file, pos);
    long indexSize = varint(file, pos);
    BundleHeaderProto header = null;
    List<Entry> entries = new ArrayList<>();
    for (byte[][] kv : block(file, indexOffset, indexSize, name)) {
      int[] p = {0};
      long off = varint(kv[1], p);
      long size = varint(kv[1], p);
      for (byte[][] e : block(file, off, size, name)) {
        String key = new String(e[0], java.nio.charset.StandardCharsets.UTF_8);
        try {
          if (key.isEmpty()) {
            header = BundleHeaderProto.parseFrom(e[1]);
          } else {
            entries.add(new Entry(key, BundleEntryProto.parseFrom(e[1])));
          }
        } catch (InvalidProtocolBufferException ex) {
          throw new IOException(name + ": entry '" + key + "' is not a bundle proto", ex);
        }
      }
    }
    if (header == null) {
      throw new IOException(name + ": no bundle header (the entry with the empty key)");
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
    byte[] data = new byte[Math.toIntExact(p.getSize())];
    try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      long at = p.getOffset();
      while (b.hasRemaining()) {
        int n = ch.read(b, at + b.position());
        if (n < 0) {
          throw new IOException(
              "'"
                  + shard
                  + "': tensor '"
                  + e.key()
                  + "' needs bytes "
                  + p.getOffset()
                  + ".."
                  + (p.getOffset() + p.getSize())
                  + ", the file ends at "
                  + ch.size());
        }
      }
    }
    int crc = TfRecords.mask(crc32c(data, 0, data.length));
    if (crc != p.getCrc32C()) {
      throw new IOException(
          "'"
              + shard
              + "': tensor '"
              + e.key()
              + "' CRC32C mismatch: expected "
              + Integer.toHexString(p.getCrc32C())
              + ", found "
              + Integer.toHexString(crc));
    }
    if (index.header().getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
      throw new IOException(
          "'" + shard + "' is big-endian; only little-endian checkpoints are read");
    }
    return HostTensor.of(dtype, e.shape(), ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** The (key, value) pairs of one table block, after its trailer's type and CRC are checked. */
  private static List<byte[][]> block(byte[] file, long offset, long size, String name)
      throws IOException {
    if (offset < 0 || size < 0 || offset + size + 5 > file.length) {
      throw new IOException(name + ": block at " + offset + " (+" + size + ") is outside the file");
    }
    int off = (int) offset;
    int len = (int) size;
    int type = file[off + len];
    int stored = ByteBuffer.wrap(file, off + len + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    CRC32C crc = new CRC32C();
    crc.update(file, off, len + 1);
    if (stored != TfRecords.mask((int) crc.getValue())) {
      throw new IOException(name + ": block at " + offset + " fails its CRC check");
    }
    byte[] raw;
    if (type == 0) {
      raw = Arrays.copyOfRange(file, off, off + len);
    } else if (type == 1) {
      raw = snappy(file, off, len, name);
    } else {
      throw new IOException(
          name
              + ": block at "
              + offset
              + " has compression type "
              + type
              + "; expected 0 (none) or 1 (snappy)");
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int numRestarts = b.getInt(raw.length - 4);
    int limit = raw.length - 4 - 4 * numRestarts;
    List<byte[][]> out = new ArrayList<>();
    byte[] prev = new byte[0];
    int[] pos = {0};
    while (pos[0] < limit) {
      int shared = (int) varint(raw, pos);
      int nonShared = (int) varint(raw, pos);
      int valueLength = (int) varint(raw, pos);
      byte[] key = new byte[shared + nonShared];
      System.arraycopy(prev, 0, key, 0, shared);
      System.arraycopy(raw, pos[0], key, shared, nonShared);
      pos[0] += nonShared;
      byte[] value = Arrays.copyOfRange(raw, pos[0], pos[0] + valueLength);
      pos[0] += valueLength;
      out.add(new byte[][] {key, value});
      prev = key;
    }
    return out;
  }

  /** Snappy raw-format decompression (format_description.txt of google/snappy). */
  static byte[] snappy(byte[] in, int off, int len, String name) throws IOException {
    int[] pos = {off};
    int n = (int) varint(in, pos);
    byte[] out = new byte[n];
    int o = 0;
    int end = off + len;
    while (pos[0] < end) {
      int tag = in[pos[0]++] & 0xff;
      int kind = tag & 3;
      if (kind == 0) {
        int l = tag >>> 2;
        if (l >= 60) {
          int bytes = l - 59;
          l = 0;
          for (int i = 0; i < bytes; i++) {
            l |= (in[pos[0]++] & 0xff) << (8 * i);
          }
        }
        l += 1;
        System.arraycopy(in, pos[0], out, o, l);
        pos[0] += l;
        o += l;
        continue;
      }
      int l;
      int distance;
      if (kind == 1) {
        l = 4 + ((tag >>> 2) & 7);
        distance = ((tag >>> 5) << 8) | (in[pos[0]++] & 0xff);
      } else if (kind == 2) {
        l = (tag >>> 2) + 1;
        distance = (in[pos[0]] & 0xff) | (in[pos[0] + 1] & 0xff) << 8;
        pos[0] += 2;
      } else {
        l = (tag >>> 2) + 1;
        distance = ByteBuffer.wrap(in, pos[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        pos[0] += 4;
      }
      if (distance <= 0 || distance > o || o + l > n) {
        throw new IOException(
            name
                + ": corrupt snappy block (copy of "
                + l
                + " bytes from "
                + distance
                + " back at output byte "
                + o
                + ")");
      }
      for (int i = 0; i < l; i++) {
        out[o + i] = out[o - distance + i];
      }
      o += l;
    }
    if (o != n) {
      throw new IOException(name + ": snappy block decompressed to " + o + " bytes, expected " + n);
    }
    return out;
  }

  private static long varint(byte[] b, int[] pos) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int x = b[pos[0]++] & 0xff;
      result |= (long) (x & 0x7f) << shift;
      if (x < 0x80) {
        return result;
      }
    }
    throw new IllegalStateException("varint longer than 10 bytes at " + pos[0]);
  }

  private static int crc32c(byte[] data, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(data, off, len);
    return (int) c.getValue();
  }
}
