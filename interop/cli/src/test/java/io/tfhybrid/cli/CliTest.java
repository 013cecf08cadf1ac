package io.tfhybrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.interop.ImageTensors;
import io.tfhybrid.interop.InputLayout;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.nn.HostTensor;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, in process: output, files and exit status. */
class CliTest {
  /** The golden cases these tests use, copied into the test resources by the build. */
  static final Path GOLDEN = resource("/golden");

  static Path resource(String name) {
    try {
      return Path.of(CliTest.class.getResource(name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
  static final Path CASE = GOLDEN.resolve("conv2former/b1_k7_75x98");

  @TempDir static Path tmp;

  /** Exit status, stdout and stderr of one invocation. */
  record Run(int status, String out, String err) {
    @Override
    public String toString() {
      return "status " + status + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  static Path exported;

  @BeforeAll
  static void convert() {
    Run r =
        run(
            "convert",
            CASE.resolve("weights.safetensors").toString(),
            "--out",
            tmp.resolve("models/c2f").toString(),
            "--size",
            "75x98");
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().contains("detected: conv2former_inferred (Conv2Former)"), r.out());
    assertTrue(
        r.out()
            .contains(
                "  why: no registered variant has these keys and shapes; the Conv2Former"
                    + " inference read the configuration from them"),
        r.out());
    assertTrue(
        r.out().contains("  why: kernel_size=7: 'stages.0.0.attn.att.2.weight' is [12, 1, 7, 7]\n"),
        r.out());
    assertTrue(r.out().contains("converted 'weights.safetensors' → "), r.out());
    assertTrue(r.err().contains("convert [########################] 10/10 done"), r.err());
    exported = tmp.resolve("models/c2f/1");
    assertTrue(Files.isRegularFile(exported.resolve("saved_model.pb")));
  }

  @Test
  void listShowsEveryRegisteredVariant() {
    Run r = run("list");
    assertEquals(0, r.status(), r.toString());
    for (Variant<?> v : Models.all()) {
      assertTrue(r.out().contains(v.id()), v.id());
    }
    // Column widths follow the longest id, so only the order of the cells is fixed.
    assertTrue(r.out().matches("(?s).*conv2former_n_224 +14\\.99M +224x224 +31\\+.*"), r.out());
  }

  @Test
  void inspectShowsSignaturesVariablesAndAssets() {
    Run r = run("inspect", exported.toString(), "--max-variables", "0");
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().contains("signature_def['serving_bytes']:"), r.out());
    assertTrue(r.out().contains("Method name is: tensorflow/serving/predict"), r.out());
    assertTrue(r.out().contains("stages.0.0.attn.att.2.weight"), r.out());
    assertTrue(
        r.out()
            .contains(
                "  config (JSON, reads back into the record): {\"kernel_size\":7,\"dims\":["),
        r.out());
    assertTrue(
        r.out()
            .matches(
                "(?s).*stages.0.0.attn.att.2.weight +DT_FLOAT +\\[7, 7, 12, 1\\] +\\[12, 1, 7, 7\\]"
                    + " +DEPTHWISE .*"),
        r.out());
    assertTrue(r.out().contains("assets.extra/tf_serving_warmup_requests"), r.out());
    assertTrue(r.out().contains("serving_bytes: image_bytes DT_STRING[2]"), r.out());
  }

  @Test
  void predictPrintsTopK() throws Exception {
    BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 90; y++) {
      for (int x = 0; x < 120; x++) {
        img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 90);
      }
    }
    Path jpg = tmp.resolve("picture.jpg");
    ImageIO.write(img, "jpg", jpg.toFile());
    Run r = run("predict", exported.getParent().toString(), jpg.toString(), "--top", "3");
    assertEquals(0, r.status(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    assertTrue(lines.get(1).startsWith("  1. class "), r.out());
    assertTrue(lines.get(3).startsWith("  3. class "), r.out());
  }

  @Test
  void verifyTheSavedModelAgainstTheReferenceLogits() {
    Run r =
        run(
            "verify",
            exported.toString(),
            "--input",
            CASE.resolve("input.npy").toString(),
            "--expect",
            CASE.resolve("logits.npy").toString());
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().contains("ok: 1 tensors within 1e-04"), r.out());
  }

  @Test
  void verifyTakesRgbPixelsInNhwcWithPixelsAndLayout() throws Exception {
    // The case's normalised NCHW input turned back into the 0-255 NHWC pixels it came from.
    HostTensor pixels =
        ImageTensors.pixelsFromNormalized(
            InputLayout.NCHW.toNhwc(NpyReader.readArray(CASE.resolve("input.npy")), "input"),
            Models.variant("conv2former_n_224").preprocessing());
    Path file = tmp.resolve("pixels_nhwc.npy");
    NpyReader.write(file, pixels);
    for (Path model : List.of(exported, CASE.resolve("weights.pth"))) {
      Run r =
          run(
              "verify",
              model.toString(),
              "--input",
              file.toString(),
              "--layout",
              "nhwc",
              "--pixels",
              "--expect",
              CASE.resolve("logits.npy").toString());
      assertEquals(0, r.status(), r.toString());
      assertTrue(r.out().contains("ok: 1 tensors within 1e-04"), r.out());
    }
    Run bad = run("verify", exported.toString(), "--input", file.toString(), "--layout", "hwcn",
        "--expect", CASE.resolve("logits.npy").toString());
    assertEquals(2, bad.status(), bad.toString());
    assertTrue(
        bad.err()
            .startsWith(
                "tfhybrid verify: error: Invalid value for option '--layout': expected auto, nchw"
                    + " or nhwc, found 'hwcn'\n"),
        bad.err());
  }

  @Test
  void verifyACheckpointTensorByTensorInForwardOrder() {
    Run r =
        run(
            "verify",
            CASE.resolve("weights.pth").toString(),
            "--input",
            CASE.resolve("input.npy").toString(),
            "--expect",
            CASE.resolve("logits.npy").toString(),
            "--features",
            CASE.toString());
    assertEquals(0, r.status(), r.toString());
    String out = r.out();
    assertTrue(
        out.indexOf("feature.downsample_layers.0") < out.indexOf("feature.stages.3")
            && out.indexOf("feature.stages.3") < out.indexOf("\nlogits "),
        out);
    assertTrue(out.contains("ok: 10 tensors"), out);
  }

  @Test
  void verifyDetectsAConTNetWithRelativePositionsAndPrintsWhy() {
    Path c = GOLDEN.resolve("contnet/t2_rel_postnorm_odd53");
    Run r =
        run(
            "verify",
            c.resolve("weights.safetensors").toString(),
            "--input",
            c.resolve("input.npy").toString(),
            "--expect",
            c.resolve("logits.npy").toString(),
            "--features",
            c.toString());
    assertEquals(0, r.status(), r.toString());
    String out = r.out();
    assertTrue(out.contains("model: contnet_inferred (ConTNet) at 53x56\n"), out);
    assertTrue(
        out.contains(
            "  why: no registered variant has these keys and shapes; the ConTNet inference read"
                + " the configuration from them: ContNetConfig(inplanes=8, layers=[1, 1],"
                + " mlp_dim=[24, 40], head_num=[1, 2], num_classes=5, use_avgdown=False,"
                + " relative=True, qkv_bias=True, pre_norm=False)\n"),
        out);
    assertTrue(
        out.contains(
            "  why: relative=True: found"
                + " 'layer1.ConTBlock0.ste1.attn.relative_position_bias_table' and no"
                + " 'pe.0'/'pe.1'\n"),
        out);
    assertTrue(out.contains("  why: pre_norm=False: not visible in a checkpoint"), out);
    assertTrue(out.contains("  why: input 53x56 instead of the default 56x56\n"), out);
    assertTrue(out.contains("ok: "), out);
  }

  @Test
  void preNormIsTheOneConTNetFlagTheUserStates() {
    Path c = GOLDEN.resolve("contnet/t2_rel_avgdown_prenorm_b2");
    String[] args = {
      "verify",
      c.resolve("weights.safetensors").toString(),
      "--input",
      c.resolve("input.npy").toString(),
      "--expect",
      c.resolve("logits.npy").toString()
    };
    Run post = run(args);
    assertEquals(1, post.status(), post.toString());
    assertTrue(
        post.out().contains("  why: pre_norm=False: not visible in a checkpoint"), post.out());
    String[] withPreNorm = java.util.Arrays.copyOf(args, args.length + 1);
    withPreNorm[args.length] = "--pre-norm";
    Run pre = run(withPreNorm);
    assertEquals(0, pre.status(), pre.toString());
    assertTrue(
        pre.out()
            .contains(
                "  why: pre_norm=True: --pre-norm (not visible in a checkpoint; the official"
                    + " default is False)\n"),
        pre.out());
    assertTrue(
        pre.out().contains("use_avgdown=True, relative=True, qkv_bias=True, pre_norm=True)\n"),
        pre.out());
    assertTrue(!pre.out().contains("pre_norm=False"), pre.out());
  }

  @Test
  void verifyBeyondToleranceExitsWithStatusOne() throws Exception {
    HostTensor ref = NpyReader.readArray(CASE.resolve("logits.npy"));
    float[] f = ref.toFloatArray();
    f[3] += 0.01f;
    Path off = tmp.resolve("off.npy");
    NpyReader.write(off, HostTensor.ofFloats(ref.shape(), f));
    Run r =
        run(
            "verify",
            CASE.resolve("weights.pth").toString(),
            "--input",
            CASE.resolve("input.npy").toString(),
            "--expect",
            off.toString(),
            "--features",
            CASE.toString());
    assertEquals(1, r.status(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "FAILED: first divergent capture in forward order is 'logits';"
                    + " last capture that matched: feature.head"),
        r.out());
  }

  @Test
  void anExistingVersionIsNotOverwritten() {
    Run r =
        run(
            "convert",
            CASE.resolve("weights.pth").toString(),
            "--out",
            exported.getParent().toString(),
            "--size",
            "75x98",
            "--version",
            "1");
    assertEquals(2, r.status(), r.toString());
    assertTrue(
        r.err()
            .contains(
                "tfhybrid convert: error: '"
                    + exported
                    + "' already exists: version 1 of 'c2f' exists; expected a new version (hint:"
                    + " --version auto takes the next number, --overwrite replaces it)"),
        r.err());
  }

  @Test
  void userErrorsGiveOneLineAHintAndStatusTwo() throws Exception {
    Path text = tmp.resolve("notes.pth");
    Files.writeString(text, "not a checkpoint");
    List<String[]> cases =
        List.of(
            new String[] {
              "convert", tmp.resolve("missing.pth").toString(), "--out", tmp.resolve("x").toString()
            },
            new String[] {"convert", text.toString(), "--out", tmp.resolve("x").toString()},
            new String[] {
              "convert",
              CASE.resolve("weights.pth").toString(),
              "--out",
              tmp.resolve("x").toString(),
              "--model",
              "resnet50"
            },
            new String[] {
              "convert",
              CASE.resolve("weights.pth").toString(),
              "--out",
              tmp.resolve("x").toString(),
              "--version",
              "latest"
            },
            new String[] {
              "convert",
              CASE.resolve("weights.pth").toString(),
              "--out",
              tmp.resolve("x").toString(),
              "--model",
              "conv2former_n_224"
            },
            new String[] {"inspect", tmp.toString()},
            new String[] {"convert", "--bogus"},
            new String[] {"predict", exported.toString(), text.toString()});
    for (String[] args : cases) {
      Run r = run(args);
      assertEquals(2, r.status(), r.toString());
      List<String> lines = r.err().lines().filter(l -> !l.startsWith("convert [")).toList();
      assertTrue(lines.get(0).startsWith("tfhybrid " + args[0] + ": error: "), r.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("hint: ")), r.toString());
      assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r);
    }
  }

  @Test
  void aCheckpointThatDoesNotFitListsEveryProblem() {
    Run r =
        run(
            "convert",
            CASE.resolve("weights.pth").toString(),
            "--out",
            tmp.resolve("y").toString(),
            "--model",
            "conv2former_n_224");
    assertEquals(2, r.status(), r.toString());
    assertTrue(
        r.err()
            .contains(
                "tfhybrid convert: error: Cannot load checkpoint 'weights.pth'"
                    + " into Conv2Former 'conv2former_n_224'"),
        r.err());
    assertTrue(r.err().contains("\n  size mismatch 'downsample_layers.0.0.weight'"), r.err());
    assertTrue(r.err().contains("\nhint: the checkpoint"), r.err());
  }

  @Test
  void everyCommandHasHelp() {
    for (String c : List.of("quickstart", "list", "convert", "verify", "predict", "inspect", "bench")) {
      Run r = run(c, "--help");
      assertEquals(0, r.status(), r.toString());
      assertTrue(r.out().startsWith("Usage: tfhybrid " + c), r.out());
    }
  }

  @Test
  void benchTimesAVariantAndRejectsUnknownIds() {
    Run r = run("bench", "contnet_ti_224", "--iters", "1", "--warmup", "0");
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().startsWith("contnet_ti_224 "), r.out());
    assertTrue(r.out().contains("img/s") && r.out().contains("peak RSS"), r.out());
    Run bad = run("bench", "contnet_xl_224");
    assertEquals(2, bad.status(), bad.toString());
    assertTrue(bad.err().contains("unknown variant 'contnet_xl_224'"), bad.err());
  }

  @Test
  void benchProfilePrintsTheBucketsThePeakAndTheFusedOps() {
    Run r = run("bench", "--profile", "contnet_ti_224", "--iters", "1", "--warmup", "0",
        "--traces", "1", "--top", "3");
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().startsWith("matmul peak (2048^3 float32 MatMul"), r.out());
    for (String bucket : List.of("conv", "depthwise conv", "matmul/batch-matmul", "norms",
        "GELU/softmax/act", "transposes/reshapes", "everything else")) {
      assertTrue(r.out().contains("\n  " + bucket + " "), bucket + " in " + r.out());
    }
    assertTrue(r.out().contains("GFLOP/s = ") && r.out().contains("% of the "), r.out());
    assertTrue(r.out().contains("fused/oneDNN op types in the optimised graph:"), r.out());
    Run bad = run("bench", "--profile", "contnet_ti_224", "--traces", "0");
    assertEquals(2, bad.status(), bad.toString());
    assertTrue(bad.err().contains("--traces >= 1"), bad.err());
  }

  @Test
  void benchComparesTimesAndProfilesSavedModels() {
    Run ab = run("bench", "--ab", exported.toString(), exported.toString(), "--rounds", "3",
        "--warmup", "0");
    assertEquals(0, ab.status(), ab.toString());
    assertTrue(ab.out().contains("batch 1, 3 rounds: A median "), ab.out());
    assertTrue(ab.out().contains(" | B/A median "), ab.out());
    // The same SavedModel twice: the same logits, bit for bit.
    assertTrue(ab.out().contains("logits max|A-B| 0.00e+00"), ab.out());
    Run one = run("bench", "--saved-model", exported.toString(), "--iters", "1", "--warmup", "0");
    assertEquals(0, one.status(), one.toString());
    assertTrue(one.out().contains("batch 1: median ") && one.out().contains("peak RSS"),
        one.out());
    Run prof = run("bench", "--profile", "--saved-model", exported.toString(), "--iters", "1",
        "--warmup", "0", "--traces", "1", "--top", "2");
    assertEquals(0, prof.status(), prof.toString());
    assertTrue(prof.out().contains("\n  norms "), prof.out());
    assertTrue(prof.out().contains("_MklLayerNorm"), prof.out());
    Run floor = run("bench", "--memory-floor");
    assertEquals(0, floor.status(), floor.toString());
    assertTrue(floor.out().startsWith("memory floor (JVM + TensorFlow runtime, empty graph): VmRSS "),
        floor.out());
    Run bad = run("bench", "--ab", exported.toString(), exported.toString(), "--rounds", "0");
    assertEquals(2, bad.status(), bad.toString());
    assertTrue(bad.err().contains("--rounds >= 1"), bad.err());
  }

  @Test
  void verboseAddsTheStackTrace() {
    Run r = run("--verbose", "inspect", tmp.resolve("nowhere").toString());
    assertEquals(2, r.status(), r.toString());
    assertTrue(r.err().contains("\tat io.tfhybrid.interop.serving.SavedModelImport.open"), r.err());
  }

  @Test
  void internalFaultsExitWithStatusOne() {
    StringWriter err = new StringWriter();
    int status =
        Main.report(
            new IllegalStateException("broken invariant"),
            new picocli.CommandLine(new Main()),
            new PrintWriter(err, true),
            false);
    assertEquals(1, status);
    assertEquals(
        "tfhybrid: error: broken invariant\nhint: this looks like a bug in tfhybrid: rerun"
            + " with --verbose for the stack trace\n",
        err.toString());
  }

  @Test
  void quickstartConvertsReloadsAndVerifiesTheBundledDemo() {
    Run r = run("quickstart", "--arch", "conv2former", "--out", tmp.resolve("qs").toString());
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().contains("Conv2Former  b1_k11_deep_mlpmix_96  126.0k"), r.out());
    assertTrue(r.out().contains(" ok "), r.out());
    assertTrue(
        r.out()
            .contains(
                "1 of 1 models converted, reloaded and verified at 1e-04 · max(1, max |logit|)"),
        r.out());
    assertTrue(
        Files.isRegularFile(tmp.resolve("qs/conv2former_b1_k11_deep_mlpmix_96/1/saved_model.pb")));
  }

  @Test
  void quickstartTakesAGoldenDirectory() {
    Run r =
        run(
            "quickstart",
            "--arch",
            "contnet",
            "--out",
            tmp.resolve("qs2").toString(),
            "--golden",
            GOLDEN.toString());
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().contains("ConTNet  t2_rel_avgdown_prenorm_b2"), r.out());
    assertTrue(r.out().contains("1 of 1 models converted"), r.out());
  }

  @Test
  void theClassNamesAreImageNet1k() {
    List<String> n = ImageNetClasses.names();
    assertEquals(1000, n.size());
    assertEquals("tench", n.get(0));
    assertEquals("tabby", n.get(281));
    assertEquals("toilet tissue", n.get(999));
    assertEquals("class 3", ImageNetClasses.name(3, 7));
  }
}
