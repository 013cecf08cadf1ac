package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * serving_bytes' preprocessing against what PIL + torchvision make of the same files: the image
 * suite in {@code src/test/resources/pil-images/}, rendered, encoded and decoded once by {@code
 * src/test/python/make_pil_images.py} (Pillow 9.4, libjpeg-turbo, torchvision 0.14). Decoded pixels
 * must be bit-exact; the resized and cropped pixels within one grey level (max) and 0.01 (mean),
 * for every crop rule and both interpolations.
 */
class PilImagesTest {

  static final Path DIR = resourceDir();
  static final JsonNode MANIFEST = readManifest();

  static Stream<String> images() {
    List<String> files = new ArrayList<>();
    MANIFEST.get("images").forEach(i -> files.add(i.get("file").asText()));
    return files.stream();
  }

  static Stream<Arguments> rules() {
    List<Arguments> out = new ArrayList<>();
    MANIFEST
        .get("rules")
        .fieldNames()
        .forEachRemaining(
            r -> {
              for (Interpolation i : Interpolation.values()) {
                out.add(Arguments.of(r, i));
              }
            });
    return out.stream();
  }

  @Test
  void suiteCoversEveryFormatTheIssueNames() {
    List<String> kinds = new ArrayList<>();
    MANIFEST
        .get("images")
        .forEach(i -> kinds.add(i.get("format").asText() + " " + i.get("mode").asText()));
    for (String k :
        List.of(
            "JPEG RGB", "JPEG L", "PNG RGB", "PNG L", "PNG RGBA", "PNG I", "GIF P", "BMP RGB")) {
      assertTrue(kinds.contains(k), k + " in " + kinds);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void decodesBitExactLikePil(String file) throws IOException {
    HostTensor expected = expected(file).get("decoded");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TString> in = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
      Operand<TUint8> decoded = PilTransform.decode(tf, in);
      try (Session s = new Session(g);
          TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes(file)));
          Result r = s.runner().feed(in, t).fetch(decoded).run()) {
        HostTensor ours = Tensors.toHost(r.get(0));
        assertArrayEquals(expected.shape(), ours.shape(), file + " shape");
        long[] a = ours.toLongArray();
        long[] b = expected.toLongArray();
        int differing = 0;
        double max = 0;
        for (int i = 0; i < a.length; i++) {
          if (a[i] != b[i]) {
            differing++;
            max = Math.max(max, Math.abs(a[i] - b[i]));
          }
        }
        System.out.printf(
            Locale.ROOT,
            "decode %-22s %s: %d of %d values differ (max %.0f)%n",
            file,
            Arrays.toString(ours.shape()),
            differing,
            a.length,
            max);
        assertEquals(0, differing, file + ": decoded pixels differ from PIL's (max " + max + ")");
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("rules")
  void resizesAndCropsLikeTorchvision(String rule, Interpolation interpolation) throws IOException {
    Preprocessing p = preprocessing(MANIFEST.get("rules").get(rule), interpolation);
    List<String> files = images().toList();
    List<byte[]> encoded = new ArrayList<>();
    for (String f : files) {
      encoded.add(bytes(f));
    }
    // One batch through the serving loop, exactly as serving_bytes runs it.
    float[] ours = ServingGraphTest.runGraph(encoded, p);
    int n = p.cropHeight() * p.cropWidth() * 3;
    String key = rule + "." + interpolation.name().toLowerCase(Locale.ROOT);
    List<String> failures = new ArrayList<>();
    for (int k = 0; k < files.size(); k++) {
      HostTensor ref = expected(files.get(k)).get(key);
      assertArrayEquals(new long[] {p.cropHeight(), p.cropWidth(), 3}, ref.shape());
      long[] b = ref.toLongArray();
      double max = 0;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        double d = Math.abs(ours[k * n + i] - b[i]);
        max = Math.max(max, d);
        sum += d;
      }
      double mean = sum / n;
      System.out.printf(
          Locale.ROOT,
          "%-16s %-8s %-22s max %.0f mean %.5f%n",
          rule,
          interpolation,
          files.get(k),
          max,
          mean);
      if (max > 1 || mean > 0.01) {
        failures.add(files.get(k) + " max " + max + " mean " + mean);
      }
    }
    assertTrue(failures.isEmpty(), key + ": " + failures);
  }

  /** The manifest's torchvision terms → our record: [S] is Resize(S), [H, W] is Resize((H, W)). */
  static Preprocessing preprocessing(JsonNode rule, Interpolation interpolation) {
    JsonNode resize = rule.get("resize");
    JsonNode crop = rule.get("crop");
    boolean shorter = resize.size() == 1;
    return new Preprocessing(
        interpolation,
        shorter ? CropMode.CENTER : CropMode.SQUASH,
        resize.get(0).asInt(),
        resize.get(shorter ? 0 : 1).asInt(),
        crop.get(0).asInt(),
        crop.get(1).asInt(),
        Preprocessing.IMAGENET_MEAN,
        Preprocessing.IMAGENET_STD);
  }

  private static final Map<String, StateDict> CACHE = new HashMap<>();

  static synchronized StateDict expected(String file) throws IOException {
    StateDict sd = CACHE.get(file);
    if (sd == null) {
      sd = NpyReader.read(DIR.resolve(file + ".npz"));
      CACHE.put(file, sd);
    }
    return sd;
  }

  static byte[] bytes(String file) throws IOException {
    return Files.readAllBytes(DIR.resolve(file));
  }

  private static Path resourceDir() {
    try {
      return Path.of(PilImagesTest.class.getResource("/pil-images/manifest.json").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode readManifest() {
    try {
      return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
