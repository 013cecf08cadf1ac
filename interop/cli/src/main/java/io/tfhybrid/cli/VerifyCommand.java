package io.tfhybrid.cli;

import io.tfhybrid.interop.InputLayout;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.hub.TimmCheckpoint;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.verify.ReferenceOutputs;
import io.tfhybrid.interop.verify.TensorError;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.interop.verify.Verification;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "Checkpoint file or folder (a Hugging Face hub folder) or SavedModel dir.")
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

  @Mixin ModelFlags flags;

  @Option(
      names = "--layout",
      defaultValue = "auto",
      paramLabel = "auto|nchw|nhwc",
      converter = Choices.Layout.class,
      description = "Layout of --input (default: ${DEFAULT-VALUE}: NCHW when dim 1 is 3).")
  InputLayout layout;

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
      paramLabel = "R",
      description =
          "Pass when max |Δ| ≤ R · max(1, max |reference|) (default: the project tolerance of the"
              + " golden tests, 1e-4).")
  Double tolerance;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    HostTensor x = ReferenceOutputs.readNpy(input, "--input needs a .npy file");
    HostTensor y = ReferenceOutputs.readNpy(expect, "--expect needs a .npy file");
    HostTensor nhwc = layout.toNhwc(x, "--input '" + input.getFileName() + "'");
    Tolerance tol = tolerance == null ? Tolerance.DEFAULT : new Tolerance(tolerance);
    Verification result =
        Files.isDirectory(modelPath) && !isCheckpointFolder()
            ? savedModel(nhwc, y, tol, o)
            : checkpoint(nhwc, y, tol, o);

    Table t = new Table("tensor", "shape", "max |Δ|", "bound", "");
    for (TensorError r : result.tensors()) {
      t.row(
          r.name(),
          Checks.shape(r.shape()),
          String.format("%.3e", r.maxAbsDiff()),
          String.format("%.3e", r.bound()),
          r.ok() ? "ok" : "FAIL");
    }
    t.print(o);
    if (!result.ok()) {
      o.printf(
          "FAILED: first divergent capture in forward order is '%s'; last capture that"
              + " matched: %s (tolerance %s)%n",
          result.firstDivergent().orElseThrow().name(),
          result.lastMatched().map(TensorError::name).orElse("(none)"),
          tol.describe());
      o.flush();
      return Main.INTERNAL_ERROR;
    }
    o.printf("ok: %d tensors within %s%n", result.tensors().size(), tol.describe());
    o.flush();
    return 0;
  }

  /** A directory that is a checkpoint folder (weights, no saved_model.pb). */
  private boolean isCheckpointFolder() {
    return !Files.isRegularFile(modelPath.resolve("saved_model.pb"))
        && (TimmCheckpoint.isHubFolder(modelPath)
            || TfHybrid.FOLDER_WEIGHTS.stream()
                .anyMatch(f -> Files.isRegularFile(modelPath.resolve(f))));
  }

  private Verification checkpoint(HostTensor nhwc, HostTensor y, Tolerance tol, PrintWriter o)
      throws IOException {
    long[] s = nhwc.shape();
    LoadOptions options = flags.loadOptions();
    StateDict sd = TfHybrid.read(modelPath, options);
    o.printf("read '%s': %d tensors%n", modelPath.getFileName(), sd.size());
    sd.notes().forEach(n -> o.println("  note: " + n));
    ModelChoice c =
        TfHybrid.choose(sd, modelPath, options)
            .atSize((int) s[1], (int) s[2]);
    o.printf("model: %s (%s) at %dx%d%n", c.name(), c.arch().displayName(), s[1], s[2]);
    c.reasonTexts().forEach(r -> o.println("  why: " + r));
    ReferenceOutputs refs = ReferenceOutputs.read(expect, features);
    try (LoadedModel loaded = TfHybrid.load(c, sd, options)) {
      return pixels
          ? loaded.verifyPixels(nhwc, refs, tol)
          : loaded.verifyNormalized(nhwc, refs, tol);
    }
  }

  private Verification savedModel(HostTensor nhwc, HostTensor y, Tolerance tol, PrintWriter o)
      throws IOException {
    if (features != null) {
      throw new CliError(
          "--features with a SavedModel",
          "a checkpoint MODEL (module outputs are captured while building from a checkpoint)",
          "SavedModel '" + modelPath + "'",
          "verify the checkpoint with --features, then the SavedModel's logits");
    }
    try (ServingModel sm = TfHybrid.openSavedModel(modelPath)) {
      Verification v =
          pixels
              ? sm.verifyPixels(signature, nhwc, y, tol)
              : sm.verifyNormalized(signature, nhwc, y, tol);
      o.println("model: " + v.model());
      return v;
    }
  }
}
