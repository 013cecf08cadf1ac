package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Locates the shared test data on the class path and writes small files for tests. */
final class TestFiles {
  private TestFiles() {}

  /** A file under {@code src/test/resources/shared/}, found through the test class path. */
  static Path shared(String relative) {
    URL url = TestFiles.class.getResource("/shared/" + relative);
    assertNotNull(
        url, "test resource '/shared/" + relative + "' is missing from the test class path");
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A test resource by its absolute class-path name (a directory or a file). */
  static Path resource(String name) {
    URL url = TestFiles.class.getResource(name);
    assertNotNull(url, "test resource '" + name + "' is missing from the test class path");
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a zip whose entries are all STORED (as torch.save writes them). */
  static Path storedZip(Path file, Map<String, byte[]> entries) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry z = new ZipEntry(e.getKey());
        z.setMethod(ZipEntry.STORED);
        z.setSize(e.getValue().length);
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        z.setCrc(crc.getValue());
        zip.putNextEntry(z);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** Writes a zip whose entries are DEFLATED (as numpy.savez_compressed writes them). */
  static Path deflatedZip(Path file, Map<String, byte[]> entries) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** A torch zip checkpoint: {@code archive/data.pkl}, the storages, {@code archive/version}. */
  static Path torchZip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", pickle);
    entries.put("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
    entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    return storedZip(file, entries);
  }

  /** The bytes of a torch zip holding only {@code archive/data.pkl}. */
  static byte[] torchZipBytes(byte[] pickle) throws IOException {
    Path tmp = Files.createTempFile("torch", ".zip");
    try {
      storedZip(tmp, Map.of("archive/data.pkl", pickle));
      return Files.readAllBytes(tmp);
    } finally {
      Files.delete(tmp);
    }
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  static byte[] doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(v);
    return b.array();
  }

  static byte[] longs(long... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(v);
    return b.array();
  }

  /** 0, 1, 2, … n-1 as float32. */
  static float[] iota(int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = i;
    }
    return f;
  }

  /** A safetensors file: 8-byte length, the header text as given (not padded), then data. */
  static Path safetensors(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Files.write(file, b.array());
    return file;
  }

  /** A .npy v1.0 image with the given header dict text and raw data. */
  static byte[] npy(String dict, byte[] data) {
    String header = dict;
    int total = 10 + header.length() + 1;
    header = header + " ".repeat((64 - total % 64) % 64) + "\n";
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) h.length).put(h).put(data);
    return b.array();
  }
}
