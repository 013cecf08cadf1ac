package io.tfhybrid.interop.serving;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.nn.Checks;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import org.apache.commons.io.FileUtils;
import org.apache.commons.io.file.PathUtils;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/**
 * Writes a loaded model as a TF Serving SavedModel: {@code <base>/<name>/<version>/} with tag
 * {@code serve}, {@code saved_model.pb}, {@code variables/} (checkpoint keys = PyTorch state_dict
 * keys), the signatures {@code serving_default}, {@code serving_bytes} and {@code features} ({@link
 * ServingSignatures}), the warmup file and our metadata under {@code assets.extra/}.
 *
 * <p>Versions appear atomically: everything is written into a hidden temporary directory beside the
 * target ({@code <base>/<name>/.tmp-<version>-…}, which TF Serving ignores because its name is not
 * a number) and renamed into place at the end. A failure deletes the temporary directory; a kill
 * leaves at most that hidden directory, never a half-written version, and the next export of the
 * same model removes it: a staging directory is named after the process that writes it ({@code
 * .tmp-<version>-<pid>-…}), and one whose process is gone is stale ({@link Result#removedStaging()},
 * {@link Listener#note}). An existing version is only replaced when {@link
 * Builder#overwrite(boolean)} asks for it.
 *
 * <p>A full disk, a read-only file system or a path through a regular file is the user's
 * environment, not a bug: such failures become an {@link ExportEnvironmentException} naming the
 * path.
 *
 * <pre>{@code
 * SavedModelExport.Result r = SavedModelExport.builder()
 *     .model(loaded).preprocessing(variant.preprocessing())
 *     .modelDir(Path.of("exported/conv2former_n"))   // version: next integer
 *     .build().export();
 * }</pre>
 */
public final class SavedModelExport {
  /** Serving subgraphs already added to a graph, so a model can be exported more than once. */
  private static final Map<Graph, Built> BUILT = new WeakHashMap<>();

  private record Built(Preprocessing preprocessing, ServingGraph.Heads heads) {}

  private final BuiltModel model;
  private final Preprocessing preprocessing;
  private final Path modelDir;
  private final Long version;
  private final boolean overwrite;
  private final boolean warmup;
  private final String source;
  private final ModelConfig config;
  private final Listener listener;

  /** Export progress: step {@code index} (1-based) of {@code total} is starting. */
  @FunctionalInterface
  public interface Listener {
    void step(int index, int total, String description);

    /** Something the user should know that is not a step, e.g. stale staging removed. */
    default void note(String message) {}
  }

  /**
   * What an export produced.
   *
   * @param removedStaging stale hidden staging directories of earlier, killed exports of the same
   *     model that this export removed (see {@link SavedModelExport})
   */
  public record Result(
      Path versionDir,
      long version,
      List<String> signatures,
      long bytes,
      Duration elapsed,
      List<Path> removedStaging) {
    public Result {
      signatures = List.copyOf(signatures);
      removedStaging = List.copyOf(removedStaging);
    }
  }

  private SavedModelExport(Builder b) {
    this.model = Objects.requireNonNull(b.model, "model (a loaded BuiltModel) must be set");
    this.preprocessing = Objects.requireNonNull(b.preprocessing, "preprocessing must be set");
    this.modelDir = Objects.requireNonNull(b.modelDir, "modelDir (<base>/<name>) must be set");
    this.version = b.version;
    this.overwrite = b.overwrite;
    this.warmup = b.warmup;
    this.source = b.source;
    this.config = b.config;
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of one export. */
  public static final class Builder {
    private BuiltModel model;
    private Preprocessing preprocessing;
    private Path modelDir;
    private Long version;
    private boolean overwrite;
    private boolean warmup = true;
    private String source = "";
    private ModelConfig config;
    private Listener listener = (i, n, d) -> {};

    /** The model, with its weights already loaded (e.g. by {@code WeightLoader}). */
    public Builder model(BuiltModel model) {
      this.model = model;
      return this;
    }

    /** The evaluation transform {@code serving_bytes} applies; its crop is the model input size. */
    public Builder preprocessing(Preprocessing preprocessing) {
      this.preprocessing = preprocessing;
      return this;
    }

    /** {@code <base>/<name>}: the directory TF Serving's {@code --model_base_path} points at. */
    public Builder modelDir(Path modelDir) {
      this.modelDir = modelDir;
      return this;
    }

    /** {@code <base>} and {@code <name>} separately. */
    public Builder modelDir(Path base, String name) {
      Checks.checkArg(
          name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*"),
          "model name '%s': expected letters, digits, '_', '.', '-' (it becomes a directory)",
          name);
      return modelDir(base.resolve(name));
    }

    /**
     * A fixed version number (positive); the default is the next integer after the existing ones.
     */
    public Builder version(long version) {
      Checks.checkArg(version > 0, "version must be a positive integer, found %s", version);
      this.version = version;
      return this;
    }

    /** The next integer after the highest existing version (1 for a new model). */
    public Builder autoVersion() {
      this.version = null;
      return this;
    }

    /** Replace an existing version directory (default: refuse). */
    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    /** Write {@code assets.extra/tf_serving_warmup_requests} (default: yes). */
    public Builder warmup(boolean warmup) {
      this.warmup = warmup;
      return this;
    }

    /** Where the weights came from (a checkpoint name), recorded in the metadata. */
    public Builder source(String source) {
      this.source = source == null ? "" : source;
      return this;
    }

    /** The config the model was built from, recorded in the metadata. */
    public Builder config(ModelConfig config) {
      this.config = config;
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public SavedModelExport build() {
      return new SavedModelExport(this);
    }
  }

  private static final int STEPS = 5;

  /**
   * Writes the version directory. On any failure nothing is left behind but what existed before.
   *
   * @throws FileAlreadyExistsException if the version exists and overwriting was not asked for
   */
  public Result export() throws IOException {
    try {
      return exportOrFail();
    } catch (IOException | RuntimeException e) {
      ExportEnvironmentException env = ExportEnvironmentException.of(modelDir, e);
      if (env != null) {
        throw env;
      }
      throw e;
    }
  }

  private Result exportOrFail() throws IOException {
    long start = System.nanoTime();
    listener.step(1, STEPS, "adding serving signatures to the graph");
    Signature[] signatures = signatures();

    checkDestination(modelDir, version, overwrite);
    Files.createDirectories(modelDir);
    List<Path> removed = removeStaleStaging(modelDir);
    for (Path r : removed) {
      listener.note("removed the stale staging directory '" + r + "' of an export that was killed");
    }
    long v = version != null ? version : nextVersion(modelDir);
    Path target = modelDir.resolve(Long.toString(v));
    checkVersionIsNew(modelDir, v, overwrite);
    Path tmp = Files.createTempDirectory(modelDir, stagingPrefix("tmp", v));
    Thread cleanup = new Thread(() -> deleteQuietly(tmp), "tfhybrid-export-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      listener.step(2, STEPS, "writing saved_model.pb and variables");
      // The exporter creates the directory itself; it must not exist yet.
      Files.delete(tmp);
      SavedModelBundle.Exporter exporter =
          SavedModelBundle.exporter(tmp.toString())
              .withTags(ServingSignatures.TAG)
              .withSession(model.session());
      exporter.withSignatures(signatures).export();
      // Only what the signatures and the saver need, defaults stripped, metadata filled.
      LeanSavedModel.rewrite(tmp.resolve("saved_model.pb"));

      listener.step(3, STEPS, "writing warmup requests");
      if (warmup) {
        Path file = tmp.resolve(ServingSignatures.WARMUP_FILE);
        Files.createDirectories(file.getParent());
        WarmupRequests.write(
            file,
            WarmupRequests.forExport(
                modelDir.getFileName().toString(), model.height(), model.width()));
      }
      listener.step(4, STEPS, "writing metadata");
      ExportMetadata meta = ExportMetadata.of(model, preprocessing, source);
      if (config != null) {
        meta = meta.withConfig(config);
      }
      meta.write(tmp.resolve(ServingSignatures.METADATA_FILE));

      listener.step(5, STEPS, "moving version " + v + " into place");
      moveIntoPlace(tmp, target);
      long bytes = PathUtils.sizeOfDirectory(target);
      return new Result(
          target,
          v,
          ServingSignatures.ALL,
          bytes,
          Duration.ofNanos(System.nanoTime() - start),
          removed);
    } catch (IOException | RuntimeException | Error e) {
      deleteQuietly(tmp);
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs (or ran) anyway.
      }
    }
  }

  /**
   * The checks an export makes of its destination, cheap enough to make before a checkpoint is
   * read (a large one takes a minute and gigabytes): {@code modelDir}, or its nearest existing
   * ancestor, is a directory we can create files in, and a fixed {@code version} does not exist
   * unless {@code overwrite}. Nothing is created or left behind.
   *
   * @param version a fixed version, or null for the next integer (which never exists)
   * @throws ExportEnvironmentException when {@code modelDir} or an ancestor is a file (its cause,
   *     a {@link NotDirectoryException}, names the file)
   * @throws AccessDeniedException when no file can be created there (permissions, a read-only
   *     file system), with the system's reason
   * @throws FileAlreadyExistsException when the version exists and overwriting was not asked for
   */
  public static void checkDestination(Path modelDir, Long version, boolean overwrite)
      throws IOException {
    Path existing = modelDir.toAbsolutePath().normalize();
    while (!Files.exists(existing) && existing.getParent() != null) {
      existing = existing.getParent();
    }
    if (!Files.isDirectory(existing)) {
      // What an export that tried to create the directory reports; the cause names the file.
      throw ExportEnvironmentException.of(modelDir, new NotDirectoryException(existing.toString()));
    }
    Path probe;
    try {
      probe = Files.createTempFile(existing, ".tfhybrid-probe-", "");
    } catch (IOException e) {
      String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : "";
      throw new AccessDeniedException(
          existing.toString(),
          null,
          "cannot create files in it to export '"
              + modelDir
              + "'"
              + (why.isEmpty() ? "" : ": " + why));
    }
    Files.deleteIfExists(probe);
    if (version != null) {
      checkVersionIsNew(modelDir, version, overwrite);
    }
  }

  private static void checkVersionIsNew(Path modelDir, long v, boolean overwrite)
      throws FileAlreadyExistsException {
    Path target = modelDir.resolve(Long.toString(v));
    if (Files.exists(target) && !overwrite) {
      throw new FileAlreadyExistsException(
          target.toString(),
          null,
          "version "
              + v
              + " of '"
              + modelDir.getFileName()
              + "' exists; expected a new version (hint: --version auto"
              + " takes the next number, --overwrite replaces it)");
    }
  }

  /** {@code .tmp-<version>-<pid>-}: the staging directory names the process that writes it. */
  private static String stagingPrefix(String kind, long version) {
    return "." + kind + "-" + version + "-" + ProcessHandle.current().pid() + "-";
  }

  private static final java.util.regex.Pattern STAGING =
      java.util.regex.Pattern.compile("\\.(tmp|old)-[^-]+-(?:(\\d{1,18})-)?\\d+");

  /** Staging directories of the same model older than this are stale when they name no process. */
  private static final Duration UNNAMED_STALE_AFTER = Duration.ofHours(1);

  /**
   * Removes the hidden staging directories ({@code .tmp-*}, {@code .old-*}) below {@code modelDir}
   * that no running export owns: their process (named in the directory) is gone, or, for names
   * without a process id (older tfhybrid versions), they were last modified over an hour ago.
   *
   * @return the directories removed
   */
  static List<Path> removeStaleStaging(Path modelDir) throws IOException {
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(modelDir, ".{tmp,old}-*")) {
      for (Path c : children) {
        java.util.regex.Matcher m = STAGING.matcher(c.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(c)) {
          continue;
        }
        boolean stale;
        if (m.group(2) != null) {
          long pid = Long.parseLong(m.group(2));
          stale =
              pid != ProcessHandle.current().pid()
                  && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } else {
          java.time.Instant modified = Files.getLastModifiedTime(c).toInstant();
          stale = modified.plus(UNNAMED_STALE_AFTER).isBefore(java.time.Instant.now());
        }
        if (stale) {
          PathUtils.deleteDirectory(c);
          removed.add(c);
        }
      }
    }
    return removed;
  }

  /** Builds (or reuses) the serving subgraphs and states the three signatures. */
  private Signature[] signatures() {
    ServingGraph.Heads h;
    synchronized (BUILT) {
      Built built = BUILT.get(model.graph());
      if (built == null) {
        built = new Built(preprocessing, ServingGraph.build(model, preprocessing));
        BUILT.put(model.graph(), built);
      } else {
        Checks.checkArg(
            built.preprocessing().equals(preprocessing),
            "model '%s' was already exported with preprocessing %s; expected the same, found %s"
                + " (build a fresh BuiltModel for another transform)",
            model.name(),
            built.preprocessing(),
            preprocessing);
      }
      h = built.heads();
    }
    Signature[] s = {
      Signature.builder()
          .key(ServingSignatures.SERVING_DEFAULT)
          .methodName(ServingSignatures.PREDICT_METHOD)
          .input(ServingSignatures.INPUT_IMAGES, h.images())
          .output(ServingSignatures.OUTPUT_LOGITS, h.logits())
          .output(ServingSignatures.OUTPUT_PROBABILITIES, h.probabilities())
          .build(),
      Signature.builder()
          .key(ServingSignatures.SERVING_BYTES)
          .methodName(ServingSignatures.PREDICT_METHOD)
          .input(ServingSignatures.INPUT_IMAGE_BYTES, h.imageBytes())
          .output(ServingSignatures.OUTPUT_LOGITS, h.logits())
          .output(ServingSignatures.OUTPUT_PROBABILITIES, h.probabilities())
          .build(),
      Signature.builder()
          .key(ServingSignatures.FEATURES)
          .methodName(ServingSignatures.PREDICT_METHOD)
          .input(ServingSignatures.INPUT_IMAGES, h.images())
          .output(ServingSignatures.OUTPUT_FEATURES, h.features())
          .build()
    };
    for (Signature sig : s) {
      checkBatchDimension(sig);
    }
    return s;
  }

  /** TF Serving's batching needs a dynamic batch dimension 0 on every input and output. */
  private static void checkBatchDimension(Signature sig) {
    List<Map.Entry<String, Signature.TensorDescription>> all = new ArrayList<>();
    all.addAll(sig.getInputs().entrySet());
    all.addAll(sig.getOutputs().entrySet());
    for (Map.Entry<String, Signature.TensorDescription> e : all) {
      org.tensorflow.ndarray.Shape shape = e.getValue().shape;
      Checks.checkState(
          shape.numDimensions() >= 1 && shape.get(0) == -1,
          "signature '%s': tensor '%s' must have a dynamic batch dimension 0, found shape %s",
          sig.key(),
          e.getKey(),
          shape);
    }
  }

  /** The highest numeric child of {@code modelDir} plus one (1 when there is none). */
  static long nextVersion(Path modelDir) throws IOException {
    return highestVersion(modelDir)
        .map(p -> Long.parseLong(p.getFileName().toString()) + 1)
        .orElse(1L);
  }

  /**
   * The version directory TF Serving would serve: the child whose name is the largest integer
   * ({@code 00000123} counts as 123).
   */
  static java.util.Optional<Path> highestVersion(Path modelDir) throws IOException {
    Path best = null;
    long max = -1;
    if (Files.isDirectory(modelDir)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(modelDir)) {
        for (Path c : children) {
          String n = c.getFileName().toString();
          if (n.matches("[0-9]{1,18}") && Files.isDirectory(c) && Long.parseLong(n) > max) {
            max = Long.parseLong(n);
            best = c;
          }
        }
      }
    }
    return java.util.Optional.ofNullable(best);
  }

  private void moveIntoPlace(Path tmp, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      if (!overwrite) {
        throw new FileAlreadyExistsException(
            target.toString(), null, "version appeared while exporting (another export?)");
      }
      old = Files.createTempDirectory(modelDir, stagingPrefix("old", Long.parseLong(target.getFileName().toString())));
      Files.delete(old);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      deleteQuietly(old);
    }
  }

  /** Best effort: a leftover hidden staging directory is harmless and removed by the next export. */
  static void deleteQuietly(Path dir) {
    FileUtils.deleteQuietly(dir.toFile());
  }
}
