package io.tfhybrid.interop.cli;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.cvt.CvtHfNames;
import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.ReadOptions;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The steps convert, verify and quickstart share. */
final class Conversions {
  private Conversions() {}

  static StateDict read(Path checkpoint, ReadOptions options) throws IOException {
    if (!Files.exists(checkpoint)) {
      throw new NoSuchFileException(checkpoint.toString(), null, "the checkpoint to read");
    }
    if (Files.isDirectory(checkpoint)) {
      throw new CliError(
          "cannot read checkpoint '" + checkpoint + "'",
          "a checkpoint file (" + Checkpoints.FORMATS_UNDERSTOOD + ")",
          "a directory",
          Files.isRegularFile(checkpoint.resolve("saved_model.pb"))
              ? "that is a SavedModel: inspect, predict and verify take it directly"
              : null);
    }
    return huggingFaceCvt(Checkpoints.read(checkpoint, options));
  }

  /** What every Hugging Face CvT conversion adds to the notes: which activation to build. */
  static final String HF_CVT_GELU_NOTE =
      "Hugging Face's Python CvT runs these weights with the exact GELU; they are the official"
          + " weights, so the default QuickGELU reproduces the original model (--gelu erf"
          + " reproduces Hugging Face's Python outputs instead)";

  /**
   * A Hugging Face CvT checkpoint (PyTorch keys of {@code pytorch_model.bin}/{@code
   * model.safetensors}, or TF variable names of {@code tf_model.h5}) converted to the original
   * keys and layouts {@code Cvt} declares, with notes on what was renamed and transposed; any other
   * state dict unchanged. Recognised by an HF name of a stage tensor, so that a lone {@code
   * classifier.weight} of another family is never renamed.
   */
  static StateDict huggingFaceCvt(StateDict sd) {
    boolean hf =
        sd.keys().stream()
            .anyMatch(k -> CvtHfNames.originalKey(k).filter(o -> o.startsWith("stage")).isPresent());
    if (!hf) {
      return sd;
    }
    CvtHfNames.Converted c = CvtHfNames.toOriginal(sd.asMap());
    List<String> notes = new ArrayList<>(sd.notes());
    notes.addAll(c.notes());
    notes.add(HF_CVT_GELU_NOTE);
    return StateDict.of(sd.source(), c.tensors(), notes);
  }

  /** {@code --ema} and {@code --state-key}: which state dict of a wrapper dict to read. */
  static ReadOptions readOptions(boolean ema, String stateKey) {
    ReadOptions opts = ReadOptions.defaults().withEma(ema);
    return stateKey == null ? opts : opts.withStateKey(stateKey);
  }

  /**
   * The model for a checkpoint, as {@code --model}, {@code --num-classes}, {@code --pre-norm} and
   * {@code --gelu} ask: {@code auto} detects family, variant and flags from the keys and torch
   * shapes, anything else is a variant id.
   *
   * @param gelu {@code --gelu} (quick or erf), or null
   */
  static ModelChoice choose(
      String model,
      Path checkpoint,
      StateDict sd,
      Integer numClasses,
      boolean preNorm,
      String gelu) {
    ModelChoice c =
        model.equals("auto")
            ? ModelDetector.detect(checkpoint.getFileName().toString(), sd.shapes(), numClasses)
            : ModelDetector.byId(model, numClasses);
    c = preNorm ? c.withPreNorm() : c;
    return gelu == null ? c : c.withMlpActivation(gelu(gelu));
  }

  /** {@code --gelu quick|erf}. */
  static GeluKind gelu(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "quick" -> GeluKind.QUICK;
      case "erf" -> GeluKind.ERF;
      default ->
          throw new CliError(
              "--gelu '" + value + "'",
              "quick (QuickGELU, the official CvT) or erf (exact GELU, Hugging Face's Python CvT)",
              "'" + value + "'",
              null);
    };
  }

  /** A built model with the weights loaded, and what the loader reported. */
  record Loaded(BuiltModel model, LoadReport report) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  static Loaded buildAndLoad(ModelChoice c, StateDict sd) {
    return buildAndLoad(c, sd, () -> {});
  }

  /** Builds the graph, runs {@code beforeLoad} (a progress step), then loads {@code sd}. */
  static Loaded buildAndLoad(ModelChoice c, StateDict sd, Runnable beforeLoad) {
    BuiltModel m = BuiltModel.build(c.name(), c.createModule(), c.height(), c.width());
    try {
      beforeLoad.run();
      return new Loaded(m, WeightLoader.load(m, sd));
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  static SavedModelExport.Result export(
      Loaded loaded,
      ModelChoice c,
      Path modelDir,
      Long version,
      boolean overwrite,
      boolean warmup,
      String source,
      SavedModelExport.Listener listener)
      throws IOException {
    SavedModelExport.Builder b =
        SavedModelExport.builder()
            .model(loaded.model())
            .preprocessing(c.preprocessing())
            .modelDir(modelDir)
            .overwrite(overwrite)
            .warmup(warmup)
            .source(source)
            .config(c.config())
            .listener(listener);
    if (version != null) {
      b.version(version);
    }
    return b.build().export();
  }

  /**
   * Model-domain NCHW input (what PyTorch and the fixtures feed: normalised) → the 0-255 NHWC
   * pixels serving_default takes, inverting {@code (x / 255 - mean) / std}.
   */
  static HostTensor pixelsFromNormalizedNchw(HostTensor nchw, Preprocessing p) {
    long[] s = nchw.shape();
    Checks.checkArg(
        s.length == 4 && s[1] == 3,
        "expected an NCHW input [N, 3, H, W], found %s",
        Checks.shape(s));
    float[] nhwc = Layouts.nchwToNhwc(nchw.toFloatArray(), s);
    for (int i = 0; i < nhwc.length; i++) {
      int c = i % 3;
      nhwc[i] = (nhwc[i] * p.std().get(c) + p.mean().get(c)) * 255f;
    }
    return HostTensor.ofFloats(new long[] {s[0], s[2], s[3], s[1]}, nhwc);
  }

  /** Largest |a - b| over the flattened tensors (equal element counts required). */
  static double maxAbsDiff(float[] expected, float[] found) {
    Checks.checkArg(
        expected.length == found.length,
        "expected %s values, found %s",
        expected.length,
        found.length);
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - found[i]);
      max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
    }
    return max;
  }

  /** The project tolerance: 1e-4 · max(1, max |reference|). */
  static double bound(float[] reference, double relative) {
    double m = 0;
    for (float f : reference) {
      m = Math.max(m, Math.abs(f));
    }
    return relative * Math.max(1, m);
  }

  static String params(long n) {
    return n >= 1_000_000
        ? String.format("%.2fM", n / 1e6)
        : n >= 1000 ? String.format("%.1fk", n / 1e3) : Long.toString(n);
  }

  static String megabytes(long bytes) {
    return String.format("%.1f MB", bytes / 1e6);
  }

  /** "H" or "HxW" → {H, W}. */
  static int[] size(String s) {
    String[] parts = s.toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      if (parts.length == 1) {
        int v = Integer.parseInt(parts[0].strip());
        return new int[] {v, v};
      }
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new CliError(
        "--size '" + s + "'", "H or HxW in pixels (224, 384x384)", "'" + s + "'", null);
  }

  /** Lines of a list, indented. */
  static String indent(List<String> lines) {
    return String.join("\n", lines.stream().map(l -> "  " + l).toList());
  }
}
