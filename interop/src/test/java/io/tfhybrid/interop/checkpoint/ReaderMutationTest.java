package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded, deterministic mutation run over every reader: valid files of every format, mutated the
 * way the bugs of issue 14 were found (truncation, length-field and header-number inflation, chunk
 * duplication and deletion, byte flips), each read under the {@link FuzzTarget} watchdog in this
 * small-heap JVM. {@code -Dtfhybrid.fuzz.cases=N} (default 10,000) and {@code -Dtfhybrid.fuzz.seed=S}
 * set the budget and the seed; a failing case is written to {@code target/fuzz-failures/}.
 */
@Tag("fuzz")
class ReaderMutationTest {
  static final int CASES = Integer.getInteger("tfhybrid.fuzz.cases", 10_000);
  static final long SEED = Long.getLong("tfhybrid.fuzz.seed", 14L);

  @TempDir Path dir;

  @Test
  void everyMutationIsReadOrRejectedWithOurError() throws Exception {
    Map<String, byte[]> seeds = Seeds.all(dir);
    List<String> names = new ArrayList<>(seeds.keySet());
    SplittableRandom rnd = new SplittableRandom(SEED);
    List<String> failures = new ArrayList<>();
    long start = System.nanoTime();
    try (FuzzTarget target = new FuzzTarget(dir)) {
      for (int i = 0; i < CASES; i++) {
        String seed = names.get(i % names.size());
        StringBuilder how = new StringBuilder();
        byte[] data = seeds.get(seed);
        int n = 1 + rnd.nextInt(3);
        for (int m = 0; m < n; m++) {
          data = mutate(data, rnd, how);
        }
        String broke = target.run(data);
        if (broke != null) {
          Path saved = Path.of("target", "fuzz-failures", "case-" + i + "-" + seed);
          Files.createDirectories(saved.getParent());
          Files.write(saved, data);
          failures.add("case " + i + " (" + seed + how + " → " + saved + "): " + broke);
        }
      }
    }
    System.out.printf(
        "ReaderMutationTest: %d cases over %d seeds (seed %d) in %.1f s, %d broke the contract%n",
        CASES, names.size(), SEED, (System.nanoTime() - start) / 1e9, failures.size());
    assertTrue(
        failures.isEmpty(),
        failures.size() + " cases broke the contract:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
  }

  private static final long[] INTERESTING = {
    0, 1, -1, 0x7f, 0xff, 0x7fff, 0xffff, 0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 32,
    1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, 1 << 20, 1 << 28, 1 << 30
  };

  private static final String[] NUMBERS = {
    "0", "-1", "99999999999999999999", "4294967296", "2147483648", "1e308", "100000000",
    "9223372036854775807", "18446744073709551616", "1073741824"
  };

  /** One structural mutation of {@code b}, described into {@code how}. */
  static byte[] mutate(byte[] b, SplittableRandom rnd, StringBuilder how) {
    if (b.length == 0) {
      how.append(", grown");
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int kind = rnd.nextInt(7);
    int at = rnd.nextInt(b.length);
    switch (kind) {
      case 0 -> { // truncation
        how.append(", truncated at ").append(at);
        return java.util.Arrays.copyOf(b, at);
      }
      case 1 -> { // byte flips
        byte[] out = b.clone();
        int k = 1 + rnd.nextInt(8);
        for (int i = 0; i < k; i++) {
          out[rnd.nextInt(out.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        how.append(", ").append(k).append(" bit flips");
        return out;
      }
      case 2, 3 -> { // a length field: 1, 2, 4 or 8 little- or big-endian bytes inflated
        int width = 1 << rnd.nextInt(4);
        if (at + width > b.length) {
          at = Math.max(0, b.length - width);
        }
        width = Math.min(width, b.length - at);
        long v =
            rnd.nextBoolean()
                ? INTERESTING[rnd.nextInt(INTERESTING.length)]
                : read(b, at, width) * (2 + rnd.nextInt(1 << 16));
        boolean big = rnd.nextInt(4) == 0;
        byte[] out = b.clone();
        for (int i = 0; i < width; i++) {
          out[big ? at + width - 1 - i : at + i] = (byte) (v >>> (8 * i));
        }
        how.append(", ")
            .append(width)
            .append("-byte field at ")
            .append(at)
            .append(" set to ")
            .append(v);
        return out;
      }
      case 4 -> { // a number in a text header (JSON, .npy dict, pickle text opcodes) inflated
        int d = at;
        while (d < b.length && (b[d] < '0' || b[d] > '9')) {
          d++;
        }
        if (d == b.length) {
          return mutate(b, rnd, how);
        }
        int e = d;
        while (e < b.length && b[e] >= '0' && b[e] <= '9') {
          e++;
        }
        byte[] num = NUMBERS[rnd.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        how.append(", number at ").append(d).append(" became ").append(new String(num, StandardCharsets.US_ASCII));
        return splice(b, d, e, num);
      }
      case 5 -> { // chunk duplication
        int len = 1 + rnd.nextInt(Math.min(b.length - at, 4096));
        int to = rnd.nextInt(b.length + 1);
        byte[] chunk = java.util.Arrays.copyOfRange(b, at, at + len);
        how.append(", ").append(len).append(" bytes from ").append(at).append(" copied to ").append(to);
        return splice(b, to, to, chunk);
      }
      default -> { // chunk deletion
        int len = 1 + rnd.nextInt(Math.min(b.length - at, 4096));
        how.append(", ").append(len).append(" bytes deleted at ").append(at);
        return splice(b, at, at + len, new byte[0]);
      }
    }
  }

  private static long read(byte[] b, int at, int width) {
    long v = 0;
    for (int i = 0; i < width; i++) {
      v |= (b[at + i] & 0xffL) << (8 * i);
    }
    return v;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }

  /** Small valid files of every format the readers understand. */
  static final class Seeds {
    private Seeds() {}

    static Map<String, byte[]> all(Path dir) throws IOException {
      Map<String, byte[]> out = new LinkedHashMap<>();
      Map<String, byte[]> storages = Map.of("0", TestFiles.floats(TestFiles.iota(6)), "1", TestFiles.longs(3, 4));
      out.put("torch-zip.pth", torchZip(dir, stateDictPickle(), storages));
      out.put("torch-zip-wrapper.pth", torchZip(dir, wrapperPickle(), storages));
      out.put("torch-legacy.pth", Files.readAllBytes(TestFiles.shared("checkpoint-formats/legacy_format.pth")));
      out.put("timm-wrapper.pth.tar", Files.readAllBytes(TestFiles.shared("checkpoint-formats/timm_saver_wrapped.pth.tar")));
      Map<String, HostTensor> tensors = new LinkedHashMap<>();
      tensors.put("w", HostTensor.ofFloats(new long[] {2, 3}, TestFiles.iota(6)));
      tensors.put("n", HostTensor.ofLongs(new long[] {2}, new long[] {3, 4}));
      tensors.put("h", HostTensor.of(DType.F16, new long[] {2}, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)));
      Path st = dir.resolve("seed.safetensors");
      SafetensorsFiles.write(st, tensors);
      out.put("tensors.safetensors", Files.readAllBytes(st));
      Path npy = dir.resolve("seed.npy");
      NpyReader.write(npy, tensors.get("w"));
      byte[] npyBytes = Files.readAllBytes(npy);
      out.put("array.npy", npyBytes);
      Path npz = TestFiles.deflatedZip(dir.resolve("seed.npz"), Map.of("w.npy", npyBytes, "b.npy", npyBytes));
      out.put("arrays.npz", Files.readAllBytes(npz));
      Path stored = TestFiles.storedZip(dir.resolve("stored.npz"), Map.of("w.npy", npyBytes));
      out.put("stored.npz", Files.readAllBytes(stored));
      Path h5 = dir.resolve("seed.h5");
      Map<String, HostTensor> weights = new LinkedHashMap<>();
      weights.put("dense/kernel:0", tensors.get("w"));
      weights.put("dense/bias:0", HostTensor.ofFloats(new long[] {3}, TestFiles.iota(3)));
      KerasH5.write(h5, weights, name -> name.substring(0, name.indexOf('/')), 0);
      out.put("keras.h5", Files.readAllBytes(h5));
      Path plain = dir.resolve("plain.h5");
      KerasH5.writePlain(plain, Map.of("a/b", tensors.get("w")));
      out.put("plain.h5", Files.readAllBytes(plain));
      return out;
    }

    private static byte[] torchZip(Path dir, PickleWriter p, Map<String, byte[]> storages)
        throws IOException {
      Path f = TestFiles.torchZip(dir.resolve("seed.pth"), p.bytes(), storages);
      return Files.readAllBytes(f);
    }

    static PickleWriter stateDictPickle() {
      PickleWriter p =
          new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
      p.str("w").tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1});
      p.str("n").tensor("LongStorage", "1", 2, 0, new long[] {2}, new long[] {1});
      return p.setitems().stop();
    }

    static PickleWriter wrapperPickle() {
      PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
      p.str("args").global("argparse", "Namespace").emptyTuple().newobj().emptyDict().mark()
          .str("lr").integer(3).setitems().build();
      p.str("epoch").integer(7);
      p.str("state_dict").global("collections", "OrderedDict").emptyTuple().reduce().mark();
      p.str("w").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3});
      p.setitems();
      return p.setitems().stop();
    }
  }
}
