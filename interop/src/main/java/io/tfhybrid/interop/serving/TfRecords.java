package io.tfhybrid.interop.serving;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TFRecord framing (tensorflow/core/lib/io/record_writer.cc): per record a little-endian uint64
 * length, the masked CRC32C of those 8 bytes, the data, and the masked CRC32C of the data.
 */
public final class TfRecords {
  private TfRecords() {}

  private static final int MASK_DELTA = 0xa282ead8;

  /** TensorFlow's masked CRC32C (crc32c.h {@code Mask}): rotate right by 15, add a constant. */
  public static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return mask((int) crc.getValue());
  }

  /** TensorFlow's CRC mask (crc32c.h): rotate right by 15 bits, add a constant. */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** Writes one framed record. */
  public static void write(OutputStream out, byte[] record) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(record.length);
    header.putInt(maskedCrc32c(header.array(), 0, 8));
    out.write(header.array());
    out.write(record);
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc32c(record, 0, record.length));
    out.write(footer.array());
  }

  /** Writes {@code records} as a new TFRecord file. */
  public static void writeFile(Path file, List<byte[]> records) throws IOException {
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      for (byte[] r : records) {
        write(out, r);
      }
    }
  }

  /**
   * Reads every record, checking both CRCs; a bad length, CRC or a truncated record is an {@link
   * IOException} naming the file, the record index and the byte offset.
   */
  public static List<byte[]> readFile(Path file) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
      long offset = 0;
      while (true) {
        byte[] header = new byte[12];
        int n = in.readNBytes(header, 0, 12);
        if (n == 0) {
          return out;
        }
        String where = "'" + file.getFileName() + "' record " + out.size() + " at byte " + offset;
        if (n < 12) {
          throw new EOFException(where + ": truncated header (" + n + " of 12 bytes)");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long length = h.getLong(0);
        int lengthCrc = h.getInt(8);
        if (lengthCrc != maskedCrc32c(header, 0, 8)) {
          throw new IOException(
              where
                  + ": length CRC mismatch: expected "
                  + hex(maskedCrc32c(header, 0, 8))
                  + ", found "
                  + hex(lengthCrc)
                  + " (not a TFRecord file?)");
        }
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
          throw new IOException(where + ": record length " + length + " is out of range");
        }
        byte[] data = in.readNBytes((int) length);
        byte[] footer = in.readNBytes(4);
        if (data.length < length || footer.length < 4) {
          throw new EOFException(
              where + ": truncated record (expected " + length + " bytes + 4 CRC)");
        }
        int dataCrc = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (dataCrc != maskedCrc32c(data, 0, data.length)) {
          throw new IOException(
              where
                  + ": data CRC mismatch: expected "
                  + hex(maskedCrc32c(data, 0, data.length))
                  + ", found "
                  + hex(dataCrc));
        }
        out.add(data);
        offset += 16 + length;
      }
    }
  }

  private static String hex(int v) {
    return String.format("0x%08x", v);
  }
}
