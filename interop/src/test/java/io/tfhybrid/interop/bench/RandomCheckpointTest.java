package io.tfhybrid.interop.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.TfHybridException;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.RandomWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The random-checkpoint writer: the file holds exactly the variant's declared state_dict (keys in
 * declaration order, torch shapes, dtypes, computed buffers), reads back through our reader, is
 * detected and loaded strictly as that variant, runs to finite logits, and the committed Python
 * script turns it into a torch.save .pth that reads back to the same tensors.
 */
class RandomCheckpointTest {
  /** A small variant with computed buffers (relative_index) and BatchNorm statistics. */
  static final String VARIANT = "coatnet_0_224";

  @TempDir static Path tmp;
  static Path file;
  static RandomCheckpoint.Result written;

  @BeforeAll
  static void write() throws IOException {
    file = tmp.resolve(VARIANT + ".safetensors");
    written = TfHybrid.writeRandomCheckpoint(VARIANT, file, 3);
  }

  static List<ParamSpec> specs() {
    return Models.variant(VARIANT).config().createModule().stateDictSpec().stream()
        .filter(ParamSpec::inStateDict).toList();
  }

  @Test
  void holdsTheDeclaredStateDictInTorchLayout() throws IOException {
    StateDict sd = Checkpoints.read(file);
    List<ParamSpec> specs = specs();
    assertEquals(specs.stream().map(ParamSpec::key).toList(), sd.keys());
    assertEquals(Files.size(file), written.bytes());
    assertEquals(specs.size(), written.tensors());
    Variant<?> v = Models.variant(VARIANT);
    assertEquals(v.config().createModule().parameterCount(), written.parameters());
    Map<String, Object> expected = RandomWeights.torchLayout(specs, 3);
    int computed = 0;
    int runningVars = 0;
    for (ParamSpec s : specs) {
      HostTensor t = sd.get(s.key());
      assertArrayEquals(s.torchShape(), t.shape(), s.key());
      assertEquals(s.dtype(), t.dtype(), s.key());
      if (s.expected() != null) {
        assertTrue(s.expected().contentEquals(t), s.key());
        computed++;
      }
      if (s.key().endsWith("running_var")) {
        for (float f : t.toFloatArray()) {
          assertTrue(f > 0, s.key());
        }
        runningVars++;
      }
      // one tensor at a time through the writer = the whole-map generator
      Object e = expected.get(s.key());
      if (e instanceof long[] l) {
        assertArrayEquals(l, t.toLongArray(), s.key());
      } else {
        assertArrayEquals((float[]) e, t.toFloatArray(), s.key());
      }
    }
    assertTrue(computed > 0 && runningVars > 0, computed + " computed buffers, " + runningVars);
  }

  @Test
  void isDetectedLoadedStrictlyAndGivesFiniteLogits() throws IOException {
    try (LoadedModel m = TfHybrid.load(file)) {
      assertEquals(VARIANT, m.name());
      float[] logits = m.logitsFromPixels(RandomWeights.input(5, 1, 224, 224, 3)).toFloatArray();
      assertEquals(1000, logits.length);
      double max = 0;
      double sum = 0;
      double sq = 0;
      for (float f : logits) {
        assertTrue(Float.isFinite(f));
        max = Math.max(max, Math.abs(f));
        sum += f;
        sq += (double) f * f;
      }
      double std = Math.sqrt(sq / logits.length - (sum / logits.length) * (sum / logits.length));
      System.out.printf("%s random checkpoint: max |logit| %.3g, std %.3g%n", VARIANT, max, std);
      assertTrue(max < 1e3 && std > 1e-3, "max |logit| " + max + ", std " + std);
    }
  }

  @Test
  void anUnknownVariantIsAUserError() {
    TfHybridException e = assertThrows(TfHybridException.class,
        () -> TfHybrid.writeRandomCheckpoint("contnet_xl_224", tmp.resolve("x.safetensors"), 1));
    assertTrue(e.getMessage().contains("unknown variant 'contnet_xl_224'"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("x.safetensors")));
  }

  @Test
  void thePythonScriptWritesATorchSavePthWithTheSameTensors() throws Exception {
    String python = pythonWithTorch();
    Assumptions.assumeTrue(python != null, "no python3 with torch and numpy is installed");
    Path script = Path.of("src/main/python/safetensors_to_pth.py");
    Path pth = tmp.resolve(VARIANT + ".pth");
    Process p = new ProcessBuilder(python, script.toString(), file.toString(), pth.toString())
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), log);
    assertEquals(0, p.exitValue(), log);
    assertEquals(Checkpoints.Format.PYTORCH_ZIP, Checkpoints.detect(pth));
    StateDict a = Checkpoints.read(file);
    StateDict b = Checkpoints.read(pth);
    assertEquals(a.keys(), b.keys());
    for (String k : a.keys()) {
      assertTrue(a.get(k).contentEquals(b.get(k)), k);
    }
  }

  /**
   * The first of {@code -Dtfhybrid.python}, {@code python3} on the PATH and Debian's {@code
   * /usr/bin/python3} that imports torch and numpy; null when none does.
   */
  static String pythonWithTorch() throws InterruptedException {
    for (String python : List.of(System.getProperty("tfhybrid.python", "python3"), "python3",
        "/usr/bin/python3")) {
      try {
        Process p = new ProcessBuilder(python, "-c", "import torch, numpy")
            .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return python;
        }
      } catch (IOException e) {
        // not installed: try the next one
      }
    }
    return null;
  }
}
