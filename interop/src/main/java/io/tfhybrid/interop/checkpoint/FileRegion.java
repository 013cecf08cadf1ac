package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;

/**
 * The bytes of one tensor left in the checkpoint file: {@code [offset, offset + length)}, already
 * bounds-checked against the file when it was parsed. {@link #read} streams them with positional
 * reads through the caller's buffer (no memory map: a file truncated underneath is a short read, never a
 * SIGBUS), so a multi-GB checkpoint never sits on the heap. The file is the one that was parsed:
 * when its size or modification time differ, or it ends early, the read fails with a {@link
 * CheckpointFormatException} naming the file, the byte offset and the tensor.
 */
final class FileRegion implements HostTensor.Storage {
  static final int CHUNK = 1 << 20;

  /** What the file was when it was parsed. */
  record Stamp(Path file, long size, FileTime modified) {
    static Stamp of(Path file, FileChannel ch) throws IOException {
      return new Stamp(file, ch.size(), Files.getLastModifiedTime(file));
    }
  }

  private final Stamp stamp;
  private final long offset;
  private final long length;
  private final String what;

  /**
   * @param what the tensor, for messages ({@code tensor 'head.weight'})
   */
  FileRegion(Stamp stamp, long offset, long length, String what) {
    if (offset < 0 || length < 0 || offset > stamp.size() || length > stamp.size() - offset) {
      throw new IllegalStateException(what + ": region [" + offset + ", +" + length
          + ") outside the checked file of " + stamp.size() + " bytes");
    }
    this.stamp = stamp;
    this.offset = offset;
    this.length = length;
    this.what = what;
  }

  /**
   * Opens the stamped file again for reading {@code what} (at {@code offset}, for messages), or
   * fails when it is no longer the file that was parsed (size or modification time differ).
   */
  static FileChannel open(Stamp stamp, long offset, String what) throws IOException {
    Path file = stamp.file();
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, offset, "I/O error while reading " + what + ": "
          + e.getMessage(), e);
    }
    try {
      long size = ch.size();
      FileTime modified = Files.getLastModifiedTime(file);
      if (size != stamp.size() || !modified.equals(stamp.modified())) {
        throw new CheckpointFormatException(file, offset, "the file changed after it was read ("
            + stamp.size() + " bytes, modified " + stamp.modified() + "; now " + size
            + " bytes, modified " + modified + "), so " + what + " cannot be loaded from it;"
            + " read the checkpoint again");
      }
      return ch;
    } catch (IOException e) {
      ch.close();
      throw e instanceof CheckpointFormatException c ? c
          : new CheckpointFormatException(file, offset, "I/O error while reading " + what + ": "
              + e.getMessage(), e);
    }
  }

  @Override
  public void read(byte[] buf, HostTensor.ChunkSink sink) throws IOException {
    Path file = stamp.file();
    try (FileChannel ch = open(stamp, offset, what)) {
      long done = 0;
      while (done < length) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, length - done));
        while (b.hasRemaining()) {
          int r = ch.read(b, offset + done + b.position());
          if (r < 0) {
            throw new CheckpointFormatException(file, offset + done + b.position(),
                "truncated: the file ended while reading " + what + " (" + length
                    + " bytes from byte " + offset + "); was it cut short after it was read?");
          }
        }
        sink.accept(buf, 0, b.position());
        done += b.position();
      }
    } catch (CheckpointFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new CheckpointFormatException(file, offset, "I/O error while reading " + what + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return what + " at bytes " + offset + ".." + (offset + length) + " of '"
        + CheckpointFormatException.fileName(stamp.file()) + "'";
  }
}
