package io.tfhybrid.interop.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes {@code .safetensors} files (the format {@link SafetensorsReader} reads): an 8-byte
 * little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes (each
 * tensor's {@code dtype}, {@code shape} and {@code data_offsets}, in the order given), then the
 * tensors' little-endian bytes back to back. Tensors are asked for one at a time, so a file larger
 * than the heap can be written; the file appears atomically (written beside the target, then
 * renamed).
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tensor of the header: its key, element type and (torch) shape. */
  public record Entry(String key, DType dtype, long[] shape) {
    public Entry {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    long byteSize() {
      return HostTensor.numel(shape) * dtype.byteSize();
    }
  }

  /** Writes {@code tensors} in their iteration order. */
  public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
    List<Entry> entries = tensors.entrySet().stream()
        .map(e -> new Entry(e.getKey(), e.getValue().dtype(), e.getValue().shape()))
        .toList();
    write(file, entries, e -> tensors.get(e.key()));
  }

  /**
   * Writes the header of {@code entries}, then asks {@code data} for each entry's tensor in order
   * and writes its bytes; a tensor is not held after its bytes are written.
   *
   * @return the file's size in bytes
   * @throws IllegalArgumentException when a tensor's dtype or shape differs from its entry, or a
   *     key repeats
   */
  public static long write(Path file, List<Entry> entries, Function<Entry, HostTensor> data)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    long offset = 0;
    for (Entry e : entries) {
      Checks.checkArg(!header.has(e.key()), "key '%s' appears twice", e.key());
      ObjectNode t = header.putObject(e.key());
      t.put("dtype", e.dtype().name());
      ArrayNode shape = t.putArray("shape");
      Arrays.stream(e.shape).forEach(shape::add);
      t.putArray("data_offsets").add(offset).add(offset + e.byteSize());
      offset += e.byteSize();
    }
    StringBuilder text = new StringBuilder(JSON.writeValueAsString(header));
    while (text.length() % 8 != 0) {
      text.append(' ');
    }
    byte[] headerBytes = text.toString().getBytes(StandardCharsets.UTF_8);
    Path dir = file.toAbsolutePath().getParent();
    // Beside the target, with the permissions a new file gets (a temp file's would be 0600).
    Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
        + System.nanoTime() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(headerBytes.length).flip());
        writeFully(ch, ByteBuffer.wrap(headerBytes));
        for (Entry e : entries) {
          HostTensor t = data.apply(e);
          Checks.checkArg(t != null && t.dtype() == e.dtype() && Arrays.equals(t.shape(), e.shape),
              "tensor '%s': expected %s %s, got %s", e.key(), e.dtype(), Checks.shape(e.shape), t);
          writeFully(ch, t.data());
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return 8L + headerBytes.length + offset;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
