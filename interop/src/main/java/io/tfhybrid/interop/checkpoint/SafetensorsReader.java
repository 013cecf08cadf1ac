package io.tfhybrid.interop.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code .safetensors} files (the header; each tensor's bytes stay in the file until it is
 * loaded, see {@link HostTensor#lazy}), validating them the way the reference Rust implementation does:
 * header length at most 100,000,000 bytes and within the file; UTF-8 JSON object; {@code
 * __metadata__} maps strings to strings; every tensor has a known dtype, a shape of non-negative
 * ints and {@code data_offsets [begin, end]}; sorted by begin, the tensors tile the data section
 * from 0 to its end without gaps or overlaps, each exactly {@code numel × dtype size} bytes. Keys
 * keep the header's order.
 */
public final class SafetensorsReader {
  /** The reference implementation's limit on the JSON header. */
  public static final long MAX_HEADER_SIZE = 100_000_000L;

  private static final List<String> SUPPORTED =
      List.of("F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL");
  private static final Set<String> KNOWN_UNSUPPORTED =
      Set.of(
          "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "U16", "U32", "U64", "C64");

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Reads one header entry from the streaming parser (more tokens follow it). */
  private static final com.fasterxml.jackson.databind.ObjectReader ENTRY =
      JSON.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** One header entry: data lies at {@code [dataStart + begin, dataStart + end)} of the file. */
  public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public TensorInfo {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public String toString() {
      return "'"
          + name
          + "' "
          + dtype.torchName()
          + Checks.shape(shape)
          + " at ["
          + begin
          + ", "
          + end
          + "]";
    }
  }

  /** The validated header: metadata (possibly empty) and the tensors in header order. */
  public record Header(long headerLength, Map<String, String> metadata, List<TensorInfo> tensors) {
    public Header {
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
      tensors = List.copyOf(tensors);
    }

    /** File offset of the data section. */
    public long dataStart() {
      return 8 + headerLength;
    }
  }

  private SafetensorsReader() {}

  /** Reads and validates the header only. */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return header(file, ch, ReadLimits.defaults());
    }
  }

  public static StateDict read(Path file) throws IOException {
    return read(file, ReadLimits.defaults());
  }

  /** As {@link #read(Path)}; the parsed header may take at most {@code limits.budget(size)}. */
  public static StateDict read(Path file, ReadLimits limits) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Header h = header(file, ch, limits);
      FileRegion.Stamp stamp = FileRegion.Stamp.of(file, ch);
      LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
      for (TensorInfo t : h.tensors()) {
        long len = t.end() - t.begin();
        if (len > Integer.MAX_VALUE - 16) {
          throw new CheckpointFormatException(
              file,
              h.dataStart() + t.begin(),
              "tensor '"
                  + t.name()
                  + "' is "
                  + len
                  + " bytes; tensors over 2 GiB are not supported");
        }
        // Left in the file (the header tiles the data section exactly, checked above): the
        // loader reads each tensor when it is written into its variable.
        out.put(
            t.name(),
            HostTensor.lazy(
                t.dtype(),
                t.shape(),
                new FileRegion(
                    stamp, h.dataStart() + t.begin(), len, "tensor '" + Describe.name(t.name()) + "'")));
      }
      List<String> notes = new ArrayList<>();
      notes.add(
          "safetensors file" + (h.metadata().isEmpty() ? "" : " with metadata " + h.metadata()));
      String dtypes = PthReader.dtypeNote(out);
      if (dtypes != null) {
        notes.add(dtypes);
      }
      return StateDict.of(CheckpointFormatException.fileName(file), out, notes);
    }
  }

  static Header header(Path file, FileChannel ch, ReadLimits limits) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw new CheckpointFormatException(
          file,
          0,
          "truncated: the file is "
              + size
              + " bytes; a safetensors file starts with an 8-byte header length");
    }
    long n = ByteReader.ofChannel(file, ch, 0, 8).i64("the header length");
    boolean overLimit = n < 0 || n > MAX_HEADER_SIZE;
    boolean overFile = n < 0 || n > size - 8;
    if (overLimit || overFile) {
      throw new CheckpointFormatException(
          file,
          0,
          "header length "
              + Long.toUnsignedString(n)
              + " exceeds "
              + (overLimit
                  ? "the limit of " + MAX_HEADER_SIZE + " bytes" + (overFile ? " and " : "")
                  : "")
              + (overFile
                  ? "what the file holds (" + size + " bytes, so at most " + (size - 8) + ")"
                  : "")
              + "; nothing was allocated for it");
    }
    byte[] raw = ByteReader.ofChannel(file, ch, 8, n).bytes(n, "the JSON header");
    CharsetDecoder dec =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(raw);
    CharBuffer chunk = CharBuffer.allocate(8192);
    while (true) {
      CoderResult r = dec.decode(in, chunk, true);
      if (r.isError()) {
        throw new CheckpointFormatException(
            file, 8 + in.position(), "the header is not valid UTF-8");
      }
      chunk.clear();
      if (r.isUnderflow()) {
        break;
      }
    }
    if (n == 0 || raw[0] != '{') {
      String start = new String(raw, 0, (int) Math.min(n, 20), StandardCharsets.UTF_8);
      throw new CheckpointFormatException(
          file,
          8,
          "the header must be a JSON object starting with '{', found " + Describe.value(start));
    }
    long dataSize = size - 8 - n;
    long dataStart = 8 + n;
    // Each entry becomes about this much heap (its name, shape, offsets and tensor object). The
    // header must be justified by the data it describes: a header of 200,000 empty tensors is not.
    long budget = limits.budget(dataSize);
    long perEntry = 1024;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> tensors = new ArrayList<>();
    // Streamed entry by entry: a tree of the whole header would take ~30 times its size.
    try (JsonParser p = JSON.getFactory().createParser(raw)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        JsonNode v = ENTRY.readTree(p);
        if (Math.multiplyExact(tensors.size() + 1L, perEntry) + 2L * raw.length > budget) {
          throw new CheckpointFormatException(
              file,
              8 + p.currentLocation().getByteOffset(),
              "the header lists more than "
                  + tensors.size()
                  + " tensors, which would take more memory than the read limit of "
                  + limits.describe(dataSize, "the data section")
                  + " allows (a header of many empty tensors is a memory bomb); "
                  + ReadLimits.howToRaise());
        }
        if (name.equals("__metadata__")) {
          readMetadata(file, v, metadata);
          continue;
        }
        tensors.add(tensorInfo(file, name, v, dataSize, dataStart));
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new CheckpointFormatException(
            file,
            8 + p.currentLocation().getByteOffset(),
            "the header is not valid JSON: expected one object and nothing after it");
      }
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? 8 : 8 + Math.max(0, e.getLocation().getByteOffset());
      throw new CheckpointFormatException(
          file, at, "the header is not valid JSON: " + e.getOriginalMessage());
    }

    // The reference validation: sorted by offsets, tensors tile the data section exactly.
    List<TensorInfo> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long expected = 0;
    TensorInfo prev = null;
    for (TensorInfo t : sorted) {
      if (t.begin() < expected) {
        throw new CheckpointFormatException(
            file,
            dataStart + t.begin(),
            "tensor '"
                + t.name()
                + "' (data_offsets ["
                + t.begin()
                + ", "
                + t.end()
                + "]) overlaps tensor '"
                + prev.name()
                + "' (data_offsets ["
                + prev.begin()
                + ", "
                + prev.end()
                + "]); expected each byte to belong to one tensor");
      }
      if (t.begin() > expected) {
        throw new CheckpointFormatException(
            file,
            dataStart + expected,
            "gap of "
                + (t.begin() - expected)
                + " bytes in the data section before tensor '"
                + t.name()
                + "' (data_offsets ["
                + t.begin()
                + ", "
                + t.end()
                + "]): "
                + (prev == null
                    ? "the first tensor should begin at 0"
                    : "'" + prev.name() + "' ends at " + prev.end())
                + "; expected the tensors to tile the data section");
      }
      expected = t.end();
      prev = t;
    }
    if (expected != dataSize) {
      throw new CheckpointFormatException(
          file,
          dataStart + expected,
          "the data section holds "
              + dataSize
              + " bytes, but the tensors cover only "
              + expected
              + (prev == null
                  ? " (the header lists no tensors)"
                  : " (the last, '" + prev.name() + "', ends at " + expected + ")")
              + "; expected them to cover it exactly");
    }
    return new Header(n, metadata, tensors);
  }

  private static void readMetadata(Path file, JsonNode v, Map<String, String> metadata)
      throws CheckpointFormatException {
    if (!v.isObject()) {
      throw new CheckpointFormatException(
          file, 8, "'__metadata__' must map strings to strings, found " + v.getNodeType());
    }
    for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
      Map.Entry<String, JsonNode> e = m.next();
      if (!e.getValue().isTextual()) {
        throw new CheckpointFormatException(
            file,
            8,
            "'__metadata__' must map strings to strings, found '"
                + Describe.name(e.getKey())
                + "': "
                + Describe.name(e.getValue().toString()));
      }
      metadata.put(e.getKey(), e.getValue().asText());
    }
  }

  private static TensorInfo tensorInfo(
      Path file, String name, JsonNode v, long dataSize, long dataStart)
      throws CheckpointFormatException {
    if (!v.isObject()) {
      throw new CheckpointFormatException(
          file,
          8,
          "tensor '"
              + name
              + "' must be an object {dtype, shape, data_offsets}, found "
              + v.getNodeType());
    }
    JsonNode dt = v.get("dtype");
    if (dt == null || !dt.isTextual()) {
      throw new CheckpointFormatException(
          file, 8, "tensor '" + name + "' has no string 'dtype'; expected one of " + SUPPORTED);
    }
    String dtypeName = dt.asText();
    DType dtype;
    if (SUPPORTED.contains(dtypeName)) {
      dtype = DType.valueOf(dtypeName);
    } else if (KNOWN_UNSUPPORTED.contains(dtypeName)) {
      throw new CheckpointFormatException(
          file,
          8,
          "tensor '"
              + name
              + "' has dtype '"
              + dtypeName
              + "', a valid safetensors dtype this reader does not support; expected one of "
              + SUPPORTED);
    } else {
      throw new CheckpointFormatException(
          file,
          8,
          "tensor '"
              + name
              + "' has unknown dtype '"
              + dtypeName
              + "'; expected one of "
              + SUPPORTED);
    }
    JsonNode sh = v.get("shape");
    if (sh == null || !sh.isArray()) {
      throw new CheckpointFormatException(
          file, 8, "tensor '" + name + "' has no 'shape' array; expected e.g. \"shape\": [4, 3]");
    }
    long[] shape = new long[sh.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new CheckpointFormatException(
            file,
            8,
            "tensor '"
                + name
                + "' has shape "
                + jsonList(sh)
                + "; expected non-negative integers, found "
                + d);
      }
      shape[i] = d.asLong();
    }
    JsonNode off = v.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2) {
      throw new CheckpointFormatException(
          file,
          8,
          "tensor '"
              + name
              + "' must have 'data_offsets' [begin, end], found "
              + (off == null ? "none" : jsonList(off)));
    }
    long[] be = new long[2];
    for (int i = 0; i < 2; i++) {
      JsonNode d = off.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new CheckpointFormatException(
            file,
            8,
            "tensor '"
                + name
                + "' has data_offsets "
                + jsonList(off)
                + "; expected two non-negative integers");
      }
      be[i] = d.asLong();
    }
    long begin = be[0];
    long end = be[1];
    if (begin > end) {
      throw new CheckpointFormatException(
          file,
          8,
          "tensor '"
              + name
              + "' has data_offsets ["
              + begin
              + ", "
              + end
              + "]; expected begin <= end");
    }
    if (end > dataSize) {
      throw new CheckpointFormatException(
          file,
          dataStart + Math.min(begin, dataSize),
          "data_offsets ["
              + begin
              + ", "
              + end
              + "] of tensor '"
              + name
              + "' point beyond the end of the file: the data section holds "
              + dataSize
              + " bytes (file bytes "
              + dataStart
              + ".."
              + (dataStart + dataSize)
              + ")");
    }
    long numel;
    long bytes;
    try {
      numel = HostTensor.numel(shape);
      bytes = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new CheckpointFormatException(
          file,
          8,
          "tensor '"
              + name
              + "' has shape "
              + Checks.shape(shape)
              + ", whose size overflows 64 bits");
    }
    if (end - begin != bytes) {
      throw new CheckpointFormatException(
          file,
          dataStart + begin,
          "tensor '"
              + name
              + "' ("
              + dtypeName
              + " "
              + Checks.shape(shape)
              + ") needs "
              + bytes
              + " bytes, but its data_offsets ["
              + begin
              + ", "
              + end
              + "] hold "
              + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** A JSON value as {@code [a, b, c]} for arrays (torch style), else as JSON. */
  private static String jsonList(JsonNode n) {
    if (!n.isArray()) {
      return n.toString();
    }
    List<String> parts = new ArrayList<>();
    n.forEach(x -> parts.add(x.toString()));
    return "[" + String.join(", ", parts) + "]";
  }
}
