package io.tfhybrid.cli;

import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
        "Classify images with a SavedModel: the encoded files go through serving_bytes (decode,"
            + " resize, crop and normalise in the graph, as TF Serving runs it); prints the top-k"
            + " ImageNet-1k class names.")
final class PredictCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SAVEDMODEL",
      description = "SavedModel or model directory.")
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

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    if (top < 1) {
      throw new CliError("--top " + top, "a positive count", Integer.toString(top), null);
    }
    List<ServingModel.Classification> results;
    try (ServingModel model = TfHybrid.openSavedModel(dir)) {
      results = model.classifyImageFiles(images);
    }
    for (ServingModel.Classification r : results) {
      o.println(r.image());
      float[] p = r.probabilities();
      int classes = p.length;
      int k = 0;
      for (int c : r.top(top)) {
        k++;
        if (classes == 1000) {
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
}
