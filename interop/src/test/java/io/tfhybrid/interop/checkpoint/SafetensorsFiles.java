package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Writes whole state dicts as .safetensors files for tests (shared through the test-jar). */
public final class SafetensorsFiles {
  private SafetensorsFiles() {}

  /** u64 header length, JSON header, raw little-endian data: {@link SafetensorsWriter}. */
  public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
    SafetensorsWriter.write(file, tensors);
  }
}
