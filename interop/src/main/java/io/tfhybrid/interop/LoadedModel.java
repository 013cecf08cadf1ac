package io.tfhybrid.interop;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.verify.ReferenceOutputs;
import io.tfhybrid.interop.verify.TensorError;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.interop.verify.Verification;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A model built as a TensorFlow graph with a checkpoint's weights loaded: what was chosen and why
 * ({@link #choice()}: family, variant, config, input size, evaluation transform, detection
 * reasons), what the loader did ({@link #report()}), and the three jobs: run it, export it for TF
 * Serving, verify it against reference outputs. Holds a TensorFlow graph and session: close it.
 * Not thread-safe.
 */
public final class LoadedModel implements AutoCloseable {
  private final ModelChoice choice;
  private final BuiltModel model;
  private final LoadReport report;
  private final String source;

  LoadedModel(ModelChoice choice, BuiltModel model, LoadReport report, String source) {
    this.choice = choice;
    this.model = model;
    this.report = report;
    this.source = source == null ? "" : source;
  }

  /** What was built and why: family, name, config, input size, transform, reasons. */
  public ModelChoice choice() {
    return choice;
  }

  /** The variant id ({@code conv2former_n_224}) or {@code <family>_inferred}. */
  public String name() {
    return choice.name();
  }

  /** The family. */
  public Arch arch() {
    return choice.arch();
  }

  /** The configuration the graph was built from. */
  public ModelConfig config() {
    return choice.config();
  }

  /** The evaluation transform at the built input size (what {@code serving_bytes} applies). */
  public Preprocessing preprocessing() {
    return choice.preprocessing();
  }

  /** Input height the graph was built for. */
  public int height() {
    return choice.height();
  }

  /** Input width the graph was built for. */
  public int width() {
    return choice.width();
  }

  /** What was detected or stated, and why. */
  public List<Reason> reasons() {
    return choice.reasons();
  }

  /** What the weight loader did: tensors loaded, notes, warnings (non-strict). */
  public LoadReport report() {
    return report;
  }

  /** Where the weights came from (a file name), possibly empty. */
  public String source() {
    return source;
  }

  /** Learnable parameter count. */
  public long parameterCount() {
    return model.root().parameterCount();
  }

  /** The graph, session and variables, for what this class does not offer. */
  public BuiltModel builtModel() {
    return model;
  }

  /**
   * Runs the graph on a normalised NHWC batch (as PyTorch is fed: {@code (x / 255 − mean) / std},
   * then transposed to {@code [N, H, W, 3]}) and fetches {@link BuiltModel#LOGITS}, {@link
   * BuiltModel#FEATURES} or module outputs by PyTorch module path ({@code stages.1}).
   */
  public Map<String, HostTensor> runNormalized(HostTensor normalizedNhwc, Collection<String> fetch) {
    return model.run(normalizedNhwc, fetch);
  }

  /** Logits {@code [N, classes]} of a normalised NHWC batch. */
  public HostTensor logitsFromNormalized(HostTensor normalizedNhwc) {
    return model.run(normalizedNhwc, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS);
  }

  /**
   * Logits {@code [N, classes]} of RGB 0–255 pixels {@code [N, H, W, 3]}, normalised as {@link
   * #preprocessing()} says (what {@code serving_default} of the export computes).
   */
  public HostTensor logitsFromPixels(HostTensor pixelsNhwc) {
    return logitsFromNormalized(ImageTensors.normalizedFromPixels(pixelsNhwc, preprocessing()));
  }

  /**
   * Writes the model as a TF Serving SavedModel version under {@code modelDir} ({@code
   * <base>/<name>}, TF Serving's {@code --model_base_path}) with the next version number.
   */
  public SavedModelExport.Result export(Path modelDir) throws IOException {
    return export(modelDir, ExportOptions.defaults());
  }

  /**
   * Writes the model as a TF Serving SavedModel version under {@code modelDir}: three signatures
   * ({@code serving_default}, {@code serving_bytes}, {@code features}), variables named by the
   * state_dict keys, warm-up requests, and {@code assets.extra/tfhybrid.json} (what was exported).
   *
   * @throws java.nio.file.FileAlreadyExistsException when the version exists and overwriting was
   *     not asked for
   */
  public SavedModelExport.Result export(Path modelDir, ExportOptions options) throws IOException {
    SavedModelExport.Builder b =
        SavedModelExport.builder()
            .model(model)
            .preprocessing(preprocessing())
            .modelDir(modelDir)
            .overwrite(options.overwrite())
            .warmup(options.warmup())
            .source(source)
            .config(config())
            .listener(options.listener());
    if (options.version() != null) {
      b.version(options.version());
    }
    return b.build().export();
  }

  /**
   * Runs a normalised NHWC batch and compares logits and every reference module output with the
   * reference, in forward order, at the project tolerance.
   */
  public Verification verifyNormalized(HostTensor normalizedNhwc, ReferenceOutputs reference) {
    return verifyNormalized(normalizedNhwc, reference, Tolerance.DEFAULT);
  }

  /**
   * Runs a normalised NHWC batch and compares logits and every reference module output (keyed by
   * PyTorch module path) with the reference, in forward order.
   *
   * @throws TfHybridException when a reference names an output the model does not record, or
   *     the batch has another size than the graph was built for
   */
  public Verification verifyNormalized(
      HostTensor normalizedNhwc, ReferenceOutputs reference, Tolerance tolerance) {
    long[] s = normalizedNhwc.shape();
    if (s.length != 4 || s[1] != height() || s[2] != width()) {
      throw new TfHybridException(
          "input for '" + name() + "'",
          "an NHWC batch [N, " + height() + ", " + width() + ", 3] (the size it was built for)",
          io.tfhybrid.nn.Checks.shape(s),
          "load it with LoadOptions.withInputSize(h, w)");
    }
    List<String> unknown =
        reference.features().keySet().stream()
            .filter(k -> !model.outputs().containsKey(k))
            .toList();
    if (!unknown.isEmpty()) {
      throw new TfHybridException(
          "reference features",
          "feature.<module path>.npy files for outputs the model records",
          "no output for " + unknown,
          "module paths are state_dict prefixes, e.g. "
              + model.outputs().keySet().stream().limit(3).toList());
    }
    List<String> fetch = new ArrayList<>();
    for (String capture : model.outputs().keySet()) {
      if (reference.features().containsKey(capture)) {
        fetch.add(capture);
      }
    }
    fetch.add(BuiltModel.LOGITS);
    Map<String, HostTensor> got = model.run(normalizedNhwc, fetch);
    List<TensorError> rows = new ArrayList<>();
    for (String f : fetch) {
      boolean logits = f.equals(BuiltModel.LOGITS);
      rows.add(
          TensorError.measure(
              logits ? "logits" : ReferenceOutputs.FEATURE_PREFIX + f,
              logits ? reference.logits() : reference.features().get(f),
              got.get(f),
              tolerance));
    }
    return new Verification(
        name() + " (" + arch().displayName() + ") at " + height() + "x" + width(),
        rows,
        tolerance);
  }

  /**
   * Normalises RGB 0–255 pixels {@code [N, H, W, 3]} as {@link #preprocessing()} says, then
   * verifies like {@link #verifyNormalized(HostTensor, ReferenceOutputs, Tolerance)}.
   */
  public Verification verifyPixels(
      HostTensor pixelsNhwc, ReferenceOutputs reference, Tolerance tolerance) {
    return verifyNormalized(
        ImageTensors.normalizedFromPixels(pixelsNhwc, preprocessing()), reference, tolerance);
  }

  /** Closes the session and graph. */
  @Override
  public void close() {
    model.close();
  }
}
