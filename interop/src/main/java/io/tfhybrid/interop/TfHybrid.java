package io.tfhybrid.interop;

import io.tfhybrid.arch.Benchmark;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.OpProfile;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmVariants;
import io.tfhybrid.interop.bench.ConvertBenchmark;
import io.tfhybrid.interop.bench.RandomCheckpoint;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.detect.ModelDetector;
import io.tfhybrid.interop.hub.TimmCheckpoint;
import io.tfhybrid.interop.hub.TimmConfig;
import io.tfhybrid.interop.load.HuggingFaceCvt;
import io.tfhybrid.interop.load.LoadPlan;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.interop.serving.SavedModelExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The front door of the library: PyTorch checkpoints in, TF Serving SavedModels out.
 *
 * <pre>{@code
 * try (LoadedModel m = TfHybrid.load(Path.of("conv2former_n.pth"))) {   // detects the variant
 *   HostTensor logits = m.logitsFromPixels(rgbNhwc);                      // RGB 0-255, NHWC
 *   m.export(Path.of("exported/conv2former_n"));                          // next version
 * }
 * }</pre>
 *
 * <p>Loading reads the file or folder (every format {@link Checkpoints} understands, Hugging Face
 * CvT names renamed; a timm hub folder's weights with its {@code config.json}), chooses the model ({@link ModelDetector}: a registered variant or a configuration read
 * off the keys and torch shapes, with the reasons), builds its NHWC graph and loads the weights
 * strictly. The steps are public too ({@link #read}, {@link #choose}, {@link #load(ModelChoice,
 * StateDict, LoadOptions)}) for callers that work between them; {@link #convert(Path, Path,
 * LoadOptions, ExportOptions, ConvertListener)} reports its progress to a listener. Mistakes in the inputs
 * are {@link TfHybridException}s, malformed files {@link
 * io.tfhybrid.interop.checkpoint.CheckpointFormatException}s, checkpoints that do not fit the
 * model {@link io.tfhybrid.interop.load.CheckpointMismatchException}s.
 */
public final class TfHybrid {
  private TfHybrid() {}

  /**
   * Weight files looked for in a checkpoint folder (e.g. a Hugging Face hub snapshot), in order of
   * preference.
   */
  public static final List<String> FOLDER_WEIGHTS =
      List.of("model.safetensors", "pytorch_model.bin", "tf_model.h5");

  /** Loads a checkpoint file or folder with the default options (detect the model, strict). */
  public static LoadedModel load(Path checkpoint) throws IOException {
    return load(checkpoint, LoadOptions.defaults());
  }

  /**
   * Reads a checkpoint file or folder, chooses the model as {@code options} say, builds its graph
   * and loads the weights.
   */
  public static LoadedModel load(Path checkpoint, LoadOptions options) throws IOException {
    StateDict sd = read(checkpoint, options);
    return load(choose(sd, checkpoint, options), sd, options);
  }

  /**
   * Reads the weights of a checkpoint file, or of a folder holding one of {@link #FOLDER_WEIGHTS}:
   * the state dict the options select, Hugging Face CvT names converted to the original ones (with
   * a note).
   *
   * @throws NoSuchFileException when nothing is at {@code checkpoint}
   * @throws TfHybridException for a folder without a weight file (or a SavedModel)
   */
  public static StateDict read(Path checkpoint, LoadOptions options) throws IOException {
    if (!Files.exists(checkpoint)) {
      throw new NoSuchFileException(checkpoint.toString(), null, "the checkpoint to read");
    }
    Path file =
        Files.isDirectory(checkpoint)
            ? TimmCheckpoint.isHubFolder(checkpoint)
                ? TimmCheckpoint.locate(checkpoint).weights()
                : weightsInFolder(checkpoint)
            : checkpoint;
    return HuggingFaceCvt.toOriginal(Checkpoints.read(file, options.readOptions()));
  }

  /** The weight file of a checkpoint folder. */
  private static Path weightsInFolder(Path dir) throws IOException {
    for (String name : FOLDER_WEIGHTS) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return dir.resolve(name);
      }
    }
    String found;
    try (Stream<Path> files = Files.list(dir)) {
      found = files.map(p -> p.getFileName().toString()).sorted().limit(8).toList().toString();
    }
    throw new TfHybridException(
        "cannot read checkpoint '" + dir + "'",
        "a checkpoint file (" + Checkpoints.FORMATS_UNDERSTOOD + ") or a folder with one of "
            + FOLDER_WEIGHTS,
        "a directory holding " + found,
        Files.isRegularFile(dir.resolve("saved_model.pb"))
            ? "that is a SavedModel: inspect, predict and verify take it directly"
            : null);
  }

  /**
   * The model for a checkpoint, as {@code options} ask: {@link LoadOptions#AUTO} detects family,
   * variant and flags from the keys and torch shapes, anything else is a variant id; then the
   * class count, ConTNet's {@code pre_norm}, CvT's MLP activation and the input size are applied.
   *
   * @param source the checkpoint's name, for messages
   * @throws TfHybridException for an unknown id, an undetectable checkpoint, an option that does
   *     not apply to the family, or an input size the model cannot run
   */
  public static ModelChoice choose(StateDict sd, String source, LoadOptions options) {
    return choose(sd, source, Optional.empty(), options);
  }

  /**
   * The model for the checkpoint at {@code checkpoint} (a file or folder): as {@link
   * #choose(StateDict, String, LoadOptions)}, except that with {@link LoadOptions#AUTO} timm's
   * {@code config.json} of a Hugging Face hub folder (or beside the weights file) decides the
   * architecture, class count, input size and evaluation transform when it names a timm CoAtNet.
   */
  public static ModelChoice choose(StateDict sd, Path checkpoint, LoadOptions options)
      throws IOException {
    Optional<TimmConfig> timm = Optional.empty();
    if (options.detects()) {
      // timm's config.json of another family (convnext, ...) leaves detection to the weights.
      timm =
          TimmCheckpoint.locate(checkpoint)
              .config()
              .filter(t -> CoAtNetTimmVariants.architectureNames().contains(t.architecture()));
    }
    return choose(sd, checkpoint.getFileName().toString(), timm, options);
  }

  private static ModelChoice choose(
      StateDict sd, String source, Optional<TimmConfig> timm, LoadOptions options) {
    ModelChoice c =
        timm.isPresent()
            ? ModelChoice.fromTimmConfig(timm.get(), options.numClasses())
            : options.detects()
                ? ModelDetector.detect(source, sd.shapes(), options.numClasses())
                : ModelDetector.byId(options.model(), options.numClasses());
    c = options.preNorm() ? c.withPreNorm() : c;
    c = options.gelu() == null ? c : c.withMlpActivation(options.gelu());
    return options.height() == 0 ? c : c.atSize(options.height(), options.width());
  }

  /**
   * Checks {@code sd} against the chosen model's declarations ({@link WeightLoader#checkAgainst},
   * no graph yet), then builds the graph and loads the weights (strictly unless the options say
   * otherwise).
   *
   * @throws io.tfhybrid.interop.load.CheckpointMismatchException when the weights do not fit
   * @throws io.tfhybrid.interop.checkpoint.CheckpointFormatException when the checkpoint's file
   *     cannot be read as it was when {@link #read} parsed it (its tensors are read only now)
   */
  public static LoadedModel load(ModelChoice choice, StateDict sd, LoadOptions options)
      throws IOException {
    return load(choice, sd, options, stage -> {});
  }

  private static LoadedModel load(
      ModelChoice choice, StateDict sd, LoadOptions options, Consumer<ConvertStage> stages)
      throws IOException {
    // The check needs only the declarations: a wrong checkpoint fails before any graph exists.
    stages.accept(ConvertStage.CHECK);
    LoadPlan plan =
        WeightLoader.builder()
            .strict(options.strict())
            .build()
            .checkAgainst(choice.name(), choice.createModule(), sd);
    stages.accept(ConvertStage.BUILD);
    BuiltModel m = BuiltModel.build(choice.name(), plan.root(), choice.height(), choice.width());
    try {
      stages.accept(ConvertStage.LOAD);
      LoadReport report = WeightLoader.builder().build().loadInto(m, plan);
      return new LoadedModel(choice, m, report, sd.source());
    } catch (UncheckedIOException e) {
      m.close();
      throw e.getCause(); // the checkpoint's file, read lazily, failed (truncated since, ...)
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /**
   * Converts a checkpoint to a TF Serving SavedModel version below {@code modelDir} (what {@code
   * tfhybrid convert} does, less its reload check): checks the destination first ({@link
   * #checkExportDestination}), so a wrong {@code --out} fails before the checkpoint is read, then
   * reads, chooses, loads and exports.
   */
  public static Conversion convert(
      Path checkpoint, Path modelDir, LoadOptions load, ExportOptions export) throws IOException {
    return convert(checkpoint, modelDir, load, export, ConvertListener.NONE);
  }

  /**
   * {@link #convert(Path, Path, LoadOptions, ExportOptions)}, telling {@code listener} as each
   * {@link ConvertStage} starts and what was read, chosen and loaded ({@code tfhybrid convert}
   * prints it, {@code tfhybrid bench --convert} times the stages). The state dict is released once
   * its tensors are in the variables: the export holds one copy of the weights.
   */
  public static Conversion convert(Path checkpoint, Path modelDir, LoadOptions load,
      ExportOptions export, ConvertListener listener) throws IOException {
    checkExportDestination(modelDir, export);
    SavedModelExport.Listener steps = export.listener();
    ExportOptions staged = export.withListener(new SavedModelExport.Listener() {
      @Override
      public void step(int index, int total, String description) {
        listener.stage(ConvertStage.ofExportStep(index));
        steps.step(index, total, description);
      }

      @Override
      public void note(String message) {
        steps.note(message);
      }
    });
    try (LoadedModel m = readAndLoad(checkpoint, load, listener)) {
      listener.loaded(m.report());
      return new Conversion(m.choice(), m.parameterCount(), m.export(modelDir, staged));
    }
  }

  /** Read, choose, check, build, load: the state dict is unreachable once this returns. */
  private static LoadedModel readAndLoad(
      Path checkpoint, LoadOptions load, ConvertListener listener) throws IOException {
    listener.stage(ConvertStage.READ);
    StateDict sd = read(checkpoint, load);
    listener.read(new ConvertListener.Checkpoint(sd.size(), sd.byteSize(), sd.notes()));
    listener.stage(ConvertStage.CHOOSE);
    ModelChoice choice = choose(sd, checkpoint, load);
    listener.chosen(choice);
    return load(choice, sd, load, listener::stage);
  }

  /**
   * The destination checks of an export, made without touching the checkpoint: {@code modelDir}
   * (or its nearest existing ancestor) is a directory where files can be created, and a fixed
   * version does not exist unless {@link ExportOptions#overwrite()}. Call it before {@link #read}
   * when the export is the goal: reading a large checkpoint takes a minute and gigabytes.
   *
   * @throws java.nio.file.FileAlreadyExistsException when the version exists
   * @throws io.tfhybrid.interop.serving.ExportEnvironmentException when {@code modelDir} or an
   *     ancestor is a file
   * @throws java.nio.file.AccessDeniedException when no file can be created there
   */
  public static void checkExportDestination(Path modelDir, ExportOptions options)
      throws IOException {
    SavedModelExport.checkDestination(modelDir, options.version(), options.overwrite());
  }

  /**
   * Opens a SavedModel directory (or a model directory with numbered versions) to run, classify
   * with or verify: ours or one exported by Python.
   */
  public static ServingModel openSavedModel(Path dir) throws IOException {
    return ServingModel.open(dir);
  }

  /**
   * Speed and memory of a registered variant on this machine: graph build time, then the median
   * and best of {@code iters} timed passes (after {@code warmup} untimed ones) of a random batch at
   * the variant's default resolution, with random weights.
   *
   * @throws TfHybridException for an unknown variant id
   */
  public static Benchmark.Result benchmark(String variantId, int batch, int warmup, int iters) {
    return Benchmark.run(variant(variantId), batch, warmup, iters);
  }

  /**
   * Writes a seeded random checkpoint of a registered variant as {@code .safetensors} ({@code
   * tfhybrid bench --write-checkpoint}): the variant's exact state_dict keys and torch shapes,
   * values of a sane network (see {@link RandomCheckpoint}). The same id and seed give the same
   * bytes.
   *
   * @throws TfHybridException for an unknown variant id
   */
  public static RandomCheckpoint.Result writeRandomCheckpoint(String variantId, Path file,
      long seed) throws IOException {
    return RandomCheckpoint.write(variant(variantId), file, seed);
  }

  /**
   * Where the time of one forward pass of a registered variant goes ({@code tfhybrid bench
   * --profile}): per-op-type and per-bucket time from TensorFlow's step stats, the op types of the
   * graph after grappler (are the remapper fusions there?), achieved GFLOP/s against {@code
   * peakGflops} (from {@link #matmulPeakGflops}, or NaN). Random weights and input; {@code timed}
   * untraced passes give the wall time, {@code traced} fully traced ones the op times.
   *
   * @throws TfHybridException for an unknown variant id
   */
  public static OpProfile.Result profile(String variantId, int batch, int warmup, int timed,
      int traced, double peakGflops) {
    return OpProfile.run(variant(variantId), batch, warmup, timed, traced, peakGflops);
  }

  /**
   * The 2-thread (TensorFlow default session options) float32 matmul peak of this machine in
   * GFLOP/s: the best of {@code timed} {@code n³} MatMuls (n = 2048 is what the README quotes).
   */
  public static double matmulPeakGflops(int n, int timed) {
    return OpProfile.matmulPeakGflops(n, timed);
  }

  /**
   * Times {@link #convert} of {@code checkpoint} against a raw read + write + fsync of its bytes, in
   * one run ({@code tfhybrid bench --convert}): stage by stage, in a child JVM whose peak RSS is
   * that of the conversion alone; see {@link ConvertBenchmark}. Everything written is removed.
   */
  public static ConvertBenchmark.Result benchmarkConvert(Path checkpoint,
      ConvertBenchmark.Options options) throws IOException {
    return ConvertBenchmark.run(checkpoint, options);
  }

  private static io.tfhybrid.arch.Variant<?> variant(String variantId) {
    try {
      return Models.variant(variantId);
    } catch (IllegalArgumentException e) {
      throw new TfHybridException(e.getMessage(), "tfhybrid list shows every variant id");
    }
  }

  /** Every registered variant id, family by family ({@code tfhybrid list}). */
  public static List<String> variantIds() {
    return Models.all().stream().map(v -> v.id()).toList();
  }
}
