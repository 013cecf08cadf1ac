package io.tfhybrid.cli;

import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.hub.TimmCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfhybrid predict}: top-k classes of images, through the SavedModel's serving_bytes. */
@Command(
    mixinStandardHelpOptions = true,
    name = "predict",
    description =
        "Classify images with a SavedModel (or a checkpoint file or hub folder, exported to a"
            + " temporary SavedModel first): the encoded files go through serving_bytes (decode,"
            + " resize, crop and normalise in the graph, as TF Serving runs it); prints the top-k"
            + " classes (ImageNet-1k names for 1000 classes, --labels FILE names, else indices).")
final class PredictCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "SavedModel or model directory, checkpoint file or hub folder.")
  Path dir;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "IMAGE",
      description = "JPEG, PNG, GIF or BMP files.")
  List<Path> images;

  @Option(
      names = "--top",
      defaultValue = "5",
      paramLabel = "K",
      description = "How many classes to print (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(
      names = "--labels",
      paramLabel = "FILE",
      description =
          "Class names, one per line in class-index order (UTF-8; blank lines and lines starting"
              + " with # are skipped), e.g. for 11821-class ImageNet-12k heads. Default: the"
              + " bundled ImageNet-1k names for 1000 classes, class indices otherwise.")
  Path labels;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    if (top < 1) {
      throw new CliError("--top " + top, "a positive count", Integer.toString(top), null);
    }
    List<String> names = labels == null ? null : readLabels(labels);
    List<ServingModel.Classification> results;
    Path staging = null;
    try {
      Path savedModel = dir;
      if (isCheckpoint(dir)) {
        // A checkpoint (file or hub folder) is exported to a temporary SavedModel first, so that
        // the images take the same serving_bytes graph as in TF Serving.
        staging = Files.createTempDirectory("tfhybrid-predict-");
        try (LoadedModel m = TfHybrid.load(dir)) {
          savedModel = m.export(staging.resolve("model")).versionDir();
        }
      }
      try (ServingModel model = TfHybrid.openSavedModel(savedModel)) {
        results = model.classifyImageFiles(images);
      }
    } finally {
      if (staging != null) {
        deleteTree(staging);
      }
    }
    for (ServingModel.Classification r : results) {
      o.println(r.image());
      float[] p = r.probabilities();
      int classes = p.length;
      if (names != null && names.size() != classes) {
        throw new CliError(
            "--labels '" + labels + "'",
            classes + " names (the model has " + classes + " classes)",
            names.size() + " names",
            "one name per line, in class-index order");
      }
      int k = 0;
      for (int c : r.top(top)) {
        k++;
        if (names != null) {
          o.printf("  %d. %-32s %6.2f%%  (class %d)%n", k, names.get(c), 100 * p[c], c);
        } else if (classes == 1000) {
          o.printf(
              "  %d. %-32s %6.2f%%  (class %d)%n",
              k, ImageNetClasses.name(c, classes), 100 * p[c], c);
        } else {
          o.printf("  %d. class %-26d %6.2f%%%n", k, c, 100 * p[c]);
        }
      }
    }
    o.flush();
    return 0;
  }

  /** A checkpoint file, or a folder of weights (a hub folder) that is no SavedModel. */
  static boolean isCheckpoint(Path p) {
    if (Files.isRegularFile(p)) {
      return true;
    }
    return Files.isDirectory(p)
        && !Files.isRegularFile(p.resolve("saved_model.pb"))
        && (TimmCheckpoint.isHubFolder(p)
            || TfHybrid.FOLDER_WEIGHTS.stream().anyMatch(f -> Files.isRegularFile(p.resolve(f))));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  /** A label file of 11821 names is ~300 kB; 16 MiB is plenty. */
  static final long MAX_LABELS_BYTES = 16L << 20;

  /** Label lines: stripped, without blank and {@code #} comment lines; size-bounded. */
  static List<String> readLabels(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "the --labels file");
    }
    long size = Files.size(file);
    if (size > MAX_LABELS_BYTES) {
      throw new CliError(
          "--labels '" + file + "'",
          "a text file of at most " + MAX_LABELS_BYTES + " bytes",
          size + " bytes",
          null);
    }
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        out.add(t);
      }
    }
    return out;
  }
}
