package io.tfhybrid.interop.cli;

import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.nn.HostTensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfhybrid convert}: a checkpoint → a TF Serving SavedModel version. */
@Command(
    name = "convert",
    description =
        "Convert a checkpoint (.pth, .pth.tar, .bin,"
            + " .safetensors, .npz, Keras/Hugging Face .h5) to a TF Serving SavedModel in"
            + " BASE/NAME/VERSION.")
final class ConvertCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  // Not mixinStandardHelpOptions: its --version would clash with ours.
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The checkpoint file.")
  Path checkpoint;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "BASE/NAME",
      description =
          "Model directory: the version is written below it (TF Serving's" + " --model_base_path).")
  Path out;

  @Option(
      names = "--model",
      defaultValue = "auto",
      paramLabel = "auto|ID",
      description =
          "A variant id (tfhybrid list) or 'auto' to detect family, variant and flags"
              + " from the keys and shapes (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--version",
      defaultValue = "auto",
      paramLabel = "N|auto",
      description = "Version number, or 'auto' for the next integer (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(
      names = "--state-key",
      paramLabel = "K",
      description = "Key of the state dict inside a wrapper dict (e.g. state_dict_ema).")
  String stateKey;

  @Option(names = "--ema", description = "Use the EMA weights of a training checkpoint.")
  boolean ema;

  @Option(
      names = "--num-classes",
      paramLabel = "N",
      description = "Classifier width, when it differs from the variant's.")
  Integer numClasses;

  @Option(
      names = "--size",
      paramLabel = "H[xW]",
      description = "Input size, when not the variant's default.")
  String size;

  @Mixin ModelFlags flags;

  @Option(names = "--overwrite", description = "Replace an existing version.")
  boolean overwrite;

  @Option(
      names = "--no-warmup",
      description = "Do not write assets.extra/tf_serving_warmup_requests.")
  boolean noWarmup;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Long v = parseVersion(version);
    Progress bar = new Progress(err, System.console() != null, "convert", 10);

    bar.step(0, "reading " + checkpoint.getFileName());
    StateDict sd = Conversions.read(checkpoint, Conversions.readOptions(ema, stateKey));
    o.printf(
        "read '%s': %d tensors, %s%n",
        checkpoint.getFileName(), sd.size(), Conversions.megabytes(sd.byteSize()));
    sd.notes().forEach(n -> o.println("  note: " + n));

    bar.step(1, model.equals("auto") ? "detecting the model" : "looking up " + model);
    ModelChoice choice =
        Conversions.choose(model, checkpoint, sd, numClasses, flags.preNorm, flags.gelu);
    if (size != null) {
      int[] hw = Conversions.size(size);
      choice = choice.atSize(hw[0], hw[1]);
    }
    o.printf(
        "%s: %s (%s)%n",
        model.equals("auto") ? "detected" : "model", choice.name(), choice.arch().displayName());
    choice.reasons().forEach(r -> o.println("  why: " + r));

    bar.step(2, "building the graph at " + choice.height() + "x" + choice.width());
    try (Conversions.Loaded loaded =
        Conversions.buildAndLoad(
            choice,
            sd,
            () -> bar.step(3, "loading " + sd.size() + " tensors into the variables"))) {
      loaded.report().notes().stream()
          .filter(n -> !sd.notes().contains(n))
          .forEach(n -> o.println("  note: " + n));
      loaded.report().warnings().forEach(w -> o.println("  warning: " + w));
      SavedModelExport.Result r =
          Conversions.export(
              loaded,
              choice,
              out,
              v,
              overwrite,
              !noWarmup,
              checkpoint.getFileName().toString(),
              (i, n, what) -> bar.step(3 + i, what));

      bar.step(9, "reloading with SavedModelBundle");
      String check = reloadCheck(r.versionDir(), choice);
      bar.step(10, "done");

      String name = out.getFileName().toString();
      o.printf("converted '%s' → %s%n", checkpoint.getFileName(), r.versionDir());
      o.printf(
          "  model       %s (%s), %s parameters, input %dx%d, %d classes%n",
          choice.name(),
          choice.arch().displayName(),
          Conversions.params(loaded.model().root().parameterCount()),
          choice.height(),
          choice.width(),
          choice.config().numClasses());
      o.printf("  version     %d%n", r.version());
      o.printf(
          "  signatures  %s (%s), %s (%s), %s; method %s%n",
          ServingSignatures.SERVING_DEFAULT,
          ServingSignatures.INPUT_IMAGES,
          ServingSignatures.SERVING_BYTES,
          ServingSignatures.INPUT_IMAGE_BYTES,
          ServingSignatures.FEATURES,
          ServingSignatures.PREDICT_METHOD);
      o.printf(
          "  transform   %s, mean %s, std %s (in the graph)%n",
          ListCommand.describe(choice.preprocessing()),
          choice.preprocessing().mean(),
          choice.preprocessing().std());
      o.printf("  written     %s in %.1f s%n", Conversions.megabytes(r.bytes()), bar.seconds());
      o.printf("  check       %s%n", check);
      o.printf(
          "  serve       docker run -p 8501:8501 -v \"%s:/models/%s\" -e MODEL_NAME=%s"
              + " tensorflow/serving%n",
          out.toAbsolutePath(), name, name);
      o.flush();
    }
    return 0;
  }

  /** Reloads the version as TF Serving would and runs serving_default on a gray image. */
  static String reloadCheck(Path versionDir, ModelChoice c) throws Exception {
    try (SavedModelImport imp = SavedModelImport.open(versionDir)) {
      float[] gray = new float[c.height() * c.width() * 3];
      Arrays.fill(gray, 128f);
      HostTensor x = HostTensor.ofFloats(new long[] {1, c.height(), c.width(), 3}, gray);
      Map<String, HostTensor> y =
          imp.run(ServingSignatures.SERVING_DEFAULT, Map.of(ServingSignatures.INPUT_IMAGES, x));
      HostTensor logits = y.get(ServingSignatures.OUTPUT_LOGITS);
      for (float f : logits.toFloatArray()) {
        if (!Float.isFinite(f)) {
          throw new IllegalStateException(
              "the reloaded SavedModel gives non-finite logits on a gray"
                  + " image: the export is broken");
        }
      }
      return "reloaded with SavedModelBundle; serving_default on a gray image gives finite logits "
          + io.tfhybrid.nn.Checks.shape(logits.shape());
    }
  }

  static Long parseVersion(String version) {
    if (version.equals("auto")) {
      return null;
    }
    try {
      long v = Long.parseLong(version);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new CliError(
        "--version '" + version + "'",
        "a positive integer or 'auto'",
        "'" + version + "'",
        "TF Serving serves the directory with the largest number");
  }
}
