package io.tfhybrid.interop.cli;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.serving.ExportMetadata;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tfhybrid verify}: runs a model on an input and compares with reference outputs, tensor by
 * tensor in forward order, at the project tolerance. Exit status 1 beyond tolerance.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "verify",
    description =
        "Compare a model's outputs with reference .npy files (e.g. from PyTorch): per-tensor max"
            + " error, the first divergent capture, exit status 1 beyond tolerance. MODEL is a"
            + " checkpoint (with --model) or a SavedModel.")
final class VerifyCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "Checkpoint file or SavedModel dir.")
  Path modelPath;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "x.npy",
      description = "Input batch: NCHW [N, 3, H, W] (PyTorch) or NHWC [N, H, W, 3].")
  Path input;

  @Option(
      names = "--expect",
      required = true,
      paramLabel = "y.npy",
      description = "Reference logits [N, classes].")
  Path expect;

  @Option(
      names = "--features",
      paramLabel = "DIR",
      description = "Also compare every feature.<module path>.npy in DIR (checkpoints only).")
  Path features;

  @Option(
      names = "--model",
      defaultValue = "auto",
      paramLabel = "auto|ID",
      description = "For a checkpoint: variant id or 'auto' (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--state-key",
      paramLabel = "K",
      description = "State dict key in a wrapper dict.")
  String stateKey;

  @Option(names = "--ema", description = "Use the EMA weights.")
  boolean ema;

  @Option(names = "--num-classes", paramLabel = "N", description = "Classifier width.")
  Integer numClasses;

  @Mixin ModelFlags flags;

  @Option(
      names = "--layout",
      defaultValue = "auto",
      paramLabel = "auto|nchw|nhwc",
      description = "Layout of --input (default: ${DEFAULT-VALUE}: NCHW when dim 1 is 3).")
  String layout;

  @Option(
      names = "--pixels",
      description =
          "--input holds RGB 0-255 pixels; by default it is the"
              + " normalised model input, as PyTorch feeds it.")
  boolean pixels;

  @Option(
      names = "--signature",
      defaultValue = ServingSignatures.SERVING_DEFAULT,
      paramLabel = "KEY",
      description = "For a SavedModel: the signature to run (default: ${DEFAULT-VALUE}).")
  String signature;

  @Option(
      names = "--tolerance",
      defaultValue = "1e-4",
      paramLabel = "R",
      description = "Pass when max |Δ| ≤ R · max(1, max |reference|) (default: ${DEFAULT-VALUE}).")
  double tolerance;

  /** One compared tensor. */
  record Row(String name, long[] shape, double maxDiff, double bound) {
    boolean ok() {
      return maxDiff <= bound;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    HostTensor x = readNpy(input, "--input");
    HostTensor y = readNpy(expect, "--expect");
    HostTensor nhwc = toNhwc(x);
    List<Row> rows = Files.isDirectory(modelPath) ? savedModel(nhwc, y, o) : checkpoint(nhwc, y, o);

    Table t = new Table("tensor", "shape", "max |Δ|", "bound", "");
    String firstBad = null;
    String lastGood = "(none)";
    for (Row r : rows) {
      t.row(
          r.name(),
          Checks.shape(r.shape()),
          String.format("%.3e", r.maxDiff()),
          String.format("%.3e", r.bound()),
          r.ok() ? "ok" : "FAIL");
      if (!r.ok() && firstBad == null) {
        firstBad = r.name();
      } else if (firstBad == null) {
        lastGood = r.name();
      }
    }
    t.print(o);
    if (firstBad != null) {
      o.printf(
          "FAILED: first divergent capture in forward order is '%s'; last capture that"
              + " matched: %s (tolerance %.0e · max(1, max |reference|))%n",
          firstBad, lastGood, tolerance);
      o.flush();
      return Main.INTERNAL_ERROR;
    }
    o.printf("ok: %d tensors within %.0e · max(1, max |reference|)%n", rows.size(), tolerance);
    o.flush();
    return 0;
  }

  private List<Row> checkpoint(HostTensor nhwc, HostTensor y, PrintWriter o) throws IOException {
    StateDict sd = Conversions.read(modelPath, Conversions.readOptions(ema, stateKey));
    o.printf("read '%s': %d tensors%n", modelPath.getFileName(), sd.size());
    sd.notes().forEach(n -> o.println("  note: " + n));
    ModelChoice c =
        Conversions.choose(model, modelPath, sd, numClasses, flags.preNorm, flags.gelu);
    long[] s = nhwc.shape();
    c = c.atSize((int) s[1], (int) s[2]);
    o.printf("model: %s (%s) at %dx%d%n", c.name(), c.arch().displayName(), s[1], s[2]);
    c.reasons().forEach(r -> o.println("  why: " + r));
    HostTensor in = pixels ? normalize(nhwc, c.preprocessing()) : nhwc;

    Map<String, Path> refs = featureFiles();
    try (Conversions.Loaded loaded = Conversions.buildAndLoad(c, sd)) {
      BuiltModel m = loaded.model();
      List<String> fetch = new ArrayList<>();
      for (String capture : m.outputs().keySet()) {
        if (refs.containsKey(capture)) {
          fetch.add(capture);
        }
      }
      List<String> unknown =
          refs.keySet().stream().filter(k -> !m.outputs().containsKey(k)).toList();
      if (!unknown.isEmpty()) {
        throw new CliError(
            "--features " + features,
            "feature.<module path>.npy files for" + " outputs the model records",
            "no output for " + unknown,
            "module paths are state_dict prefixes, e.g. "
                + m.outputs().keySet().stream().limit(3).toList());
      }
      fetch.add(BuiltModel.LOGITS);
      Map<String, HostTensor> got = m.run(in, fetch);
      List<Row> rows = new ArrayList<>();
      for (String f : fetch) {
        HostTensor ref = f.equals(BuiltModel.LOGITS) ? y : NpyReader.readArray(refs.get(f));
        rows.add(compare(f.equals(BuiltModel.LOGITS) ? "logits" : "feature." + f, ref, got.get(f)));
      }
      return rows;
    }
  }

  private List<Row> savedModel(HostTensor nhwc, HostTensor y, PrintWriter o) throws IOException {
    if (features != null) {
      throw new CliError(
          "--features with a SavedModel",
          "a checkpoint MODEL (module outputs are" + " captured while building from a checkpoint)",
          "SavedModel '" + modelPath + "'",
          "verify the checkpoint with --features, then the SavedModel's logits");
    }
    try (SavedModelImport imp = SavedModelImport.open(modelPath)) {
      SavedModelImport.SignatureInfo sig = imp.signature(signature);
      Optional<ExportMetadata> meta = imp.metadata();
      HostTensor feed = nhwc;
      String inputName;
      String outputName;
      if (meta.isPresent() && sig.inputs().containsKey(ServingSignatures.INPUT_IMAGES)) {
        inputName = ServingSignatures.INPUT_IMAGES;
        outputName = ServingSignatures.OUTPUT_LOGITS;
        if (!pixels) {
          // The signature normalises in the graph: hand it the pixels the input came from.
          feed =
              Conversions.pixelsFromNormalizedNchw(
                  Layouts.nhwcToNchw(nhwc), meta.get().preprocessing());
        }
        o.printf(
            "model: SavedModel %s (%s '%s'), signature '%s'%n",
            imp.dir(), meta.get().arch(), meta.get().model(), signature);
      } else {
        if (sig.inputs().size() != 1 || sig.outputs().isEmpty()) {
          throw new CliError(
              "signature '" + signature + "'",
              "one input and an output",
              sig.inputs().keySet() + " → " + sig.outputs().keySet(),
              "choose with --signature");
        }
        inputName = sig.inputs().keySet().iterator().next();
        outputName =
            sig.outputs().containsKey(ServingSignatures.OUTPUT_LOGITS)
                ? ServingSignatures.OUTPUT_LOGITS
                : sig.outputs().keySet().iterator().next();
        o.printf(
            "model: SavedModel %s, signature '%s', input '%s' fed as given%n",
            imp.dir(), signature, inputName);
      }
      Map<String, HostTensor> got = imp.run(signature, Map.of(inputName, feed));
      return List.of(compare(outputName, y, got.get(outputName)));
    }
  }

  private Map<String, Path> featureFiles() throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    if (features == null) {
      return out;
    }
    if (!Files.isDirectory(features)) {
      throw new NoSuchFileException(features.toString(), null, "--features needs a directory");
    }
    try (Stream<Path> files = Files.list(features)) {
      for (Path p : files.sorted().toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("feature.") && n.endsWith(".npy")) {
          out.put(n.substring("feature.".length(), n.length() - ".npy".length()), p);
        }
      }
    }
    if (out.isEmpty()) {
      throw new CliError(
          "--features " + features, "files named feature.<module path>.npy", "none", null);
    }
    return out;
  }

  /** Compares with the reference; NHWC maps are compared in the reference's NCHW layout. */
  Row compare(String name, HostTensor ref, HostTensor ours) {
    float[] r = ref.toFloatArray();
    float[] f = ours.toFloatArray();
    long[] rs = ref.shape();
    long[] os = ours.shape();
    if (rs.length == 4
        && os.length == 4
        && !Arrays.equals(rs, os)
        && rs[1] == os[3]
        && rs[2] == os[1]
        && rs[3] == os[2]) {
      f = Layouts.nhwcToNchw(f, os);
    } else if (r.length != f.length) {
      throw new CliError(
          "'" + name + "'",
          "reference shape " + Checks.shape(rs) + " to fit the" + " model's output",
          "output shape " + Checks.shape(os),
          "is --input the matching batch?");
    }
    return new Row(name, rs, Conversions.maxAbsDiff(r, f), Conversions.bound(r, tolerance));
  }

  private static HostTensor readNpy(Path p, String option) throws IOException {
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(p.toString(), null, option + " needs a .npy file");
    }
    return NpyReader.readArray(p);
  }

  /** --input → NHWC float32. */
  HostTensor toNhwc(HostTensor x) {
    long[] s = x.shape();
    if (s.length != 4) {
      throw new CliError(
          "--input '" + input.getFileName() + "'",
          "a batch [N, 3, H, W] or" + " [N, H, W, 3]",
          Checks.shape(s),
          "add the batch dimension (x[None] in numpy)");
    }
    boolean isNchw =
        switch (layout) {
          case "nchw" -> true;
          case "nhwc" -> false;
          case "auto" -> s[1] == 3;
          default ->
              throw new CliError(
                  "--layout '" + layout + "'", "auto, nchw or nhwc", "'" + layout + "'", null);
        };
    if (isNchw && s[1] != 3 || !isNchw && s[3] != 3) {
      throw new CliError(
          "--input '" + input.getFileName() + "'",
          "3 RGB channels in " + (isNchw ? "dim 1 (NCHW)" : "dim 3 (NHWC)"),
          Checks.shape(s),
          "check --layout");
    }
    return isNchw ? Layouts.nchwToNhwc(x) : HostTensor.ofFloats(s, x.toFloatArray());
  }

  private static HostTensor normalize(HostTensor pixelsNhwc, Preprocessing p) {
    float[] f = pixelsNhwc.toFloatArray();
    for (int i = 0; i < f.length; i++) {
      int c = i % 3;
      f[i] = (f[i] / 255f - p.mean().get(c)) / p.std().get(c);
    }
    return HostTensor.ofFloats(pixelsNhwc.shape(), f);
  }
}
