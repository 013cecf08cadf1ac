package io.tfhybrid.interop.cli;

import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.serving.Tensors;
import io.tfhybrid.nn.HostTensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.types.TString;
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
    List<byte[]> encoded = new ArrayList<>();
    for (Path p : images) {
      encoded.add(readImage(p));
    }
    try (SavedModelImport imp = SavedModelImport.open(dir)) {
      SavedModelImport.SignatureInfo sig;
      try {
        sig = imp.signature(ServingSignatures.SERVING_BYTES);
      } catch (IllegalArgumentException e) {
        throw new CliError(
            "SavedModel '" + imp.dir() + "' cannot classify image files",
            "a '"
                + ServingSignatures.SERVING_BYTES
                + "' signature (input '"
                + ServingSignatures.INPUT_IMAGE_BYTES
                + "', encoded images)",
            "signatures "
                + imp.metaGraphs().stream()
                    .flatMap(m -> m.signatures().stream())
                    .map(SavedModelImport.SignatureInfo::key)
                    .toList(),
            "export it with tfhybrid convert");
      }
      Map<String, HostTensor> out;
      try (TString bytes = Tensors.strings(encoded)) {
        out = imp.runTensors(sig.key(), Map.of(ServingSignatures.INPUT_IMAGE_BYTES, bytes));
      }
      HostTensor probs =
          out.containsKey(ServingSignatures.OUTPUT_PROBABILITIES)
              ? out.get(ServingSignatures.OUTPUT_PROBABILITIES)
              : softmax(out.get(ServingSignatures.OUTPUT_LOGITS));
      long[] s = probs.shape();
      int classes = (int) s[1];
      float[] p = probs.toFloatArray();
      for (int n = 0; n < images.size(); n++) {
        o.println(images.get(n));
        int row = n * classes;
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
          order.add(c);
        }
        order.sort((a, b) -> Float.compare(p[row + b], p[row + a]));
        for (int k = 0; k < Math.min(top, classes); k++) {
          int c = order.get(k);
          if (classes == 1000) {
            o.printf(
                "  %d. %-32s %6.2f%%  (class %d)%n",
                k + 1, ImageNetClasses.name(c, classes), 100 * p[row + c], c);
          } else {
            o.printf("  %d. class %-26d %6.2f%%%n", k + 1, c, 100 * p[row + c]);
          }
        }
      }
    }
    o.flush();
    return 0;
  }

  private static HostTensor softmax(HostTensor logits) {
    long[] s = logits.shape();
    float[] f = logits.toFloatArray();
    int k = (int) s[1];
    for (int n = 0; n < s[0]; n++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        max = Math.max(max, f[n * k + c]);
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        sum += Math.exp(f[n * k + c] - max);
      }
      for (int c = 0; c < k; c++) {
        f[n * k + c] = (float) (Math.exp(f[n * k + c] - max) / sum);
      }
    }
    return HostTensor.ofFloats(s, f);
  }

  /** The file's bytes, after checking they start like an image format TF decodes. */
  static byte[] readImage(Path p) throws Exception {
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(p.toString(), null, "the image to classify");
    }
    byte[] b = Files.readAllBytes(p);
    boolean jpeg = b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8;
    boolean png =
        b.length > 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    boolean gif = b.length > 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F';
    boolean bmp = b.length > 2 && b[0] == 'B' && b[1] == 'M';
    if (!(jpeg || png || gif || bmp)) {
      throw new CliError(
          "cannot classify '" + p + "'",
          "a JPEG, PNG, GIF or BMP file",
          b.length == 0
              ? "an empty file"
              : "bytes " + HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(8, b.length)),
          "convert other formats (WebP, HEIC, TIFF) to PNG or JPEG first");
    }
    return b;
  }
}
