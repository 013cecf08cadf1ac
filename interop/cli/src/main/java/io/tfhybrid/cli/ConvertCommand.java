package io.tfhybrid.cli;

import io.tfhybrid.interop.Conversion;
import io.tfhybrid.interop.ConvertListener;
import io.tfhybrid.interop.ConvertStage;
import io.tfhybrid.interop.ExportOptions;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.serving.ServingSignatures;
import java.io.PrintWriter;
import java.nio.file.Path;
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
      names = "--version",
      defaultValue = "auto",
      paramLabel = "N|auto",
      description = "Version number, or 'auto' for the next integer (default: ${DEFAULT-VALUE}).")
  String version;

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

  /** The load options these flags state. */
  LoadOptions loadOptions() {
    LoadOptions o = flags.loadOptions();
    if (size != null) {
      int[] hw = Format.size(size);
      o = o.withInputSize(hw[0], hw[1]);
    }
    return o;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Long v = parseVersion(version);
    LoadOptions options = loadOptions();
    Progress bar = new Progress(err, System.console() != null, "convert", 10);
    ExportOptions export =
        ExportOptions.defaults()
            .withVersion(v)
            .withOverwrite(overwrite)
            .withWarmup(!noWarmup)
            .withListener((i, n, what) -> bar.step(3 + i, what));
    // One library call; the listener prints its progress. It checks the destination before the
    // checkpoint is read, and holds no state dict during the export.
    Conversion c =
        TfHybrid.convert(checkpoint, out, options, export, new Printer(o, bar, options));
    SavedModelExport.Result r = c.export();
    ModelChoice choice = c.choice();
    // The exporting session is closed first: its variables and the reloaded ones are never held
    // at the same time (peak memory stays near one copy of the weights).
    bar.step(9, "reloading with SavedModelBundle");
    String check;
    try (ServingModel reloaded = TfHybrid.openSavedModel(r.versionDir())) {
      check = reloaded.checkOnGrayImage(choice.height(), choice.width());
    }
    bar.step(10, "done");

    String name = out.getFileName().toString();
    o.printf("converted '%s' → %s%n", checkpoint.getFileName(), r.versionDir());
    r.removedStaging()
        .forEach(p -> o.println("  note: removed the stale staging directory of a killed export: " + p));
    o.printf(
        "  model       %s (%s), %s parameters, input %dx%d, %d classes%n",
        choice.name(),
        choice.arch().displayName(),
        Format.params(c.parameters()),
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
    o.printf("  written     %s in %.1f s%n", Format.megabytes(r.bytes()), bar.seconds());
    o.printf("  check       %s%n", check);
    o.printf(
        "  serve       docker run -p 8501:8501 -v \"%s:/models/%s\" -e MODEL_NAME=%s"
            + " tensorflow/serving%n",
        out.toAbsolutePath(), name, name);
    o.flush();
    return 0;
  }

  /** Prints what {@link TfHybrid#convert} tells as it goes: what was read, chosen and loaded. */
  private final class Printer implements ConvertListener {
    private final PrintWriter o;
    private final Progress bar;
    private final LoadOptions options;
    private ConvertListener.Checkpoint read;
    private ModelChoice choice;

    Printer(PrintWriter o, Progress bar, LoadOptions options) {
      this.o = o;
      this.bar = bar;
      this.options = options;
    }

    @Override
    public void stage(ConvertStage stage) {
      switch (stage) {
        case READ -> bar.step(0, "reading " + checkpoint.getFileName());
        case CHOOSE ->
            bar.step(1, options.detects() ? "detecting the model" : "looking up " + options.model());
        case CHECK ->
            bar.step(2, "building the graph at " + choice.height() + "x" + choice.width());
        default -> {} // the export's steps come through ExportOptions' listener
      }
    }

    @Override
    public void read(ConvertListener.Checkpoint checkpointRead) {
      read = checkpointRead;
      o.printf(
          "read '%s': %d tensors, %s%n",
          checkpoint.getFileName(), read.tensors(), Format.megabytes(read.bytes()));
      read.notes().forEach(n -> o.println("  note: " + n));
    }

    @Override
    public void chosen(ModelChoice chosen) {
      choice = chosen;
      o.printf(
          "%s: %s (%s)%n",
          options.detects() ? "detected" : "model", choice.name(), choice.arch().displayName());
      choice.reasonTexts().forEach(r -> o.println("  why: " + r));
    }

    @Override
    public void loaded(LoadReport report) {
      bar.step(3, "loaded " + read.tensors() + " tensors into the variables");
      report.notes().stream()
          .filter(n -> !read.notes().contains(n))
          .forEach(n -> o.println("  note: " + n));
      report.warnings().forEach(w -> o.println("  warning: " + w));
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
