package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Writes whole state dicts as .safetensors files for tests (shared through the test-jar). */
public final class SafetensorsFiles {
  private SafetensorsFiles() {}

  /** A minimal safetensors writer: u64 header length, JSON header, raw little-endian data. */
  public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
    StringBuilder h = new StringBuilder("{");
    long offset = 0;
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      HostTensor t = e.getValue();
      long n = t.numel() * t.dtype().byteSize();
      h.append(h.length() > 1 ? "," : "")
          .append('"')
          .append(e.getKey())
          .append("\":{\"dtype\":\"")
          .append(t.dtype().name())
          .append("\",\"shape\":")
          .append(Arrays.toString(t.shape()).replace(" ", ""))
          .append(",\"data_offsets\":[")
          .append(offset)
          .append(',')
          .append(offset + n)
          .append("]}");
      offset += n;
    }
    h.append('}');
    while (h.length() % 8 != 0) {
      h.append(' ');
    }
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(
          ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
      out.write(header);
      for (HostTensor t : tensors.values()) {
        ByteBuffer b = t.data();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        out.write(bytes);
      }
    }
  }
}
