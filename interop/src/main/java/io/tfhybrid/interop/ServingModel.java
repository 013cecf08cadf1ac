package io.tfhybrid.interop;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.serving.ExportMetadata;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.serving.Tensors;
import io.tfhybrid.interop.verify.TensorError;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.interop.verify.Verification;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.types.TString;

/**
 * A SavedModel opened with {@code SavedModelBundle}, the C++ loader TF Serving uses: one of ours
 * (with {@code assets.extra/tfhybrid.json}) or one exported by Python (TF1 {@code
 * SavedModelBuilder} or TF2 {@code tf.saved_model.save}). Runs signatures, classifies image files,
 * and verifies against reference outputs. Close it.
 */
public final class ServingModel implements AutoCloseable {
  private final SavedModelImport imp;
  private final Optional<ExportMetadata> metadata;

  private ServingModel(SavedModelImport imp) throws IOException {
    this.imp = imp;
    this.metadata = imp.metadata();
  }

  /**
   * Opens a SavedModel directory, or a model directory with numbered versions (the highest is
   * taken).
   */
  static ServingModel open(Path dir) throws IOException {
    SavedModelImport imp = SavedModelImport.open(dir);
    try {
      return new ServingModel(imp);
    } catch (IOException | RuntimeException e) {
      imp.close();
      throw e;
    }
  }

  /** The SavedModel (version) directory. */
  public Path dir() {
    return imp.dir();
  }

  /** What a tfhybrid export recorded about itself; empty for other SavedModels. */
  public Optional<ExportMetadata> metadata() {
    return metadata;
  }

  /** Signatures, variables, assets and the raw signature runner. */
  public SavedModelImport savedModel() {
    return imp;
  }

  /**
   * The model again, built from the export's metadata: the config record stored in {@code
   * assets.extra/tfhybrid.json}, its input size and transform, and the SavedModel's variables
   * (read back into PyTorch layout) loaded strictly. Runs, exports and verifies like the model that
   * was exported.
   *
   * @throws TfHybridException for a SavedModel that is not a tfhybrid export with a stored config
   */
  public LoadedModel rebuild() throws IOException {
    ExportMetadata m =
        metadata
            .filter(x -> x.config() != null)
            .orElseThrow(
                () ->
                    new TfHybridException(
                        "cannot rebuild the model of SavedModel '" + dir() + "'",
                        "a tfhybrid export whose assets.extra/tfhybrid.json stores the config",
                        metadata.isPresent() ? "metadata without a config" : "no tfhybrid metadata",
                        "convert the checkpoint again with this version of tfhybrid"));
    ModelChoice choice =
        new ModelChoice(
            m.config().createModule().arch(),
            m.model(),
            m.config(),
            Math.toIntExact(m.height()),
            Math.toIntExact(m.width()),
            m.preprocessing(),
            List.of(
                Reason.read(
                    Reason.MODEL,
                    "the config recorded in " + ServingSignatures.METADATA_FILE + " of " + dir())));
    return TfHybrid.load(choice, imp.stateDict(), LoadOptions.defaults());
  }

  /** Runs one signature on named inputs and returns every output by name. */
  public Map<String, HostTensor> run(String signature, Map<String, HostTensor> inputs) {
    return imp.run(signature, inputs);
  }

  /** Logits of RGB 0–255 pixels {@code [N, H, W, 3]} through {@code serving_default}. */
  public HostTensor logitsFromPixels(HostTensor pixelsNhwc) {
    return run(
            ServingSignatures.SERVING_DEFAULT, Map.of(ServingSignatures.INPUT_IMAGES, pixelsNhwc))
        .get(ServingSignatures.OUTPUT_LOGITS);
  }

  /**
   * Logits of a normalised NHWC batch through {@code serving_default}: the batch is turned back
   * into the pixels it came from with the export's recorded transform, which the graph applies.
   *
   * @throws TfHybridException for a SavedModel that is not a tfhybrid export
   */
  public HostTensor logitsFromNormalized(HostTensor normalizedNhwc) {
    ExportMetadata m =
        metadata.orElseThrow(
            () ->
                new TfHybridException(
                    "SavedModel '" + dir() + "'",
                    "a tfhybrid export (its assets.extra/tfhybrid.json states the normalisation)",
                    "no tfhybrid metadata",
                    "feed the pixels or the signature's own input with run()"));
    return logitsFromPixels(ImageTensors.pixelsFromNormalized(normalizedNhwc, m.preprocessing()));
  }

  /**
   * Reloads check of a fresh export: {@code serving_default} on a gray image must give finite
   * logits. Returns what was checked, for people.
   *
   * @throws IllegalStateException when the logits are not finite (the export is broken)
   */
  public String checkOnGrayImage(int height, int width) {
    float[] gray = new float[height * width * 3];
    Arrays.fill(gray, 128f);
    HostTensor logits = logitsFromPixels(HostTensor.ofFloats(new long[] {1, height, width, 3}, gray));
    for (float f : logits.toFloatArray()) {
      if (!Float.isFinite(f)) {
        throw new IllegalStateException(
            "the reloaded SavedModel gives non-finite logits on a gray image: the export is"
                + " broken");
      }
    }
    return "reloaded with SavedModelBundle; serving_default on a gray image gives finite logits "
        + Checks.shape(logits.shape());
  }

  /**
   * Runs {@code signature} on a normalised NHWC batch (what PyTorch is fed) and compares its logits
   * with the reference. A tfhybrid export's image signatures normalise in their graph, so they are
   * fed the pixels the batch came from; any other signature must have one input, which is fed the
   * batch as given.
   *
   * @throws TfHybridException when the signature does not have one input and an output
   */
  public Verification verifyNormalized(
      String signature, HostTensor normalizedNhwc, HostTensor referenceLogits, Tolerance tolerance) {
    return verify(signature, normalizedNhwc, false, referenceLogits, tolerance);
  }

  /**
   * Runs {@code signature} on RGB 0–255 pixels {@code [N, H, W, 3]} and compares its logits with
   * the reference; any signature other than a tfhybrid export's image signatures must have one
   * input, which is fed the pixels as given.
   *
   * @throws TfHybridException when the signature does not have one input and an output
   */
  public Verification verifyPixels(
      String signature, HostTensor pixelsNhwc, HostTensor referenceLogits, Tolerance tolerance) {
    return verify(signature, pixelsNhwc, true, referenceLogits, tolerance);
  }

  private Verification verify(
      String signature,
      HostTensor inputNhwc,
      boolean pixels,
      HostTensor referenceLogits,
      Tolerance tolerance) {
    SavedModelImport.SignatureInfo sig = imp.signature(signature);
    HostTensor feed = inputNhwc;
    String inputName;
    String outputName;
    String what;
    if (metadata.isPresent() && sig.inputs().containsKey(ServingSignatures.INPUT_IMAGES)) {
      inputName = ServingSignatures.INPUT_IMAGES;
      outputName = ServingSignatures.OUTPUT_LOGITS;
      if (!pixels) {
        feed = ImageTensors.pixelsFromNormalized(inputNhwc, metadata.get().preprocessing());
      }
      what =
          String.format(
              "SavedModel %s (%s '%s'), signature '%s'",
              dir(), metadata.get().arch(), metadata.get().model(), signature);
    } else {
      if (sig.inputs().size() != 1 || sig.outputs().isEmpty()) {
        throw new TfHybridException(
            "signature '" + signature + "'",
            "one input and an output",
            sig.inputs().keySet() + " → " + sig.outputs().keySet(),
            "choose with --signature");
      }
      inputName = sig.inputs().keySet().iterator().next();
      outputName =
          sig.outputs().containsKey(ServingSignatures.OUTPUT_LOGITS)
              ? ServingSignatures.OUTPUT_LOGITS
              : sig.outputs().keySet().iterator().next();
      what =
          String.format(
              "SavedModel %s, signature '%s', input '%s' fed as given",
              dir(), signature, inputName);
    }
    Map<String, HostTensor> got = imp.run(signature, Map.of(inputName, feed));
    return new Verification(
        what,
        List.of(TensorError.measure(outputName, referenceLogits, got.get(outputName), tolerance)),
        tolerance);
  }

  /** One image file's class probabilities. */
  public record Classification(Path image, float[] probabilities) {
    public Classification {
      probabilities = probabilities.clone();
    }

    @Override
    public float[] probabilities() {
      return probabilities.clone();
    }

    /** The {@code k} most probable class indices, most probable first. */
    public int[] top(int k) {
      List<Integer> order = new ArrayList<>();
      for (int c = 0; c < probabilities.length; c++) {
        order.add(c);
      }
      order.sort((a, b) -> Float.compare(probabilities[b], probabilities[a]));
      return order.stream().limit(k).mapToInt(Integer::intValue).toArray();
    }
  }

  /**
   * Classifies encoded image files (JPEG, PNG, GIF, BMP) through the export's {@code
   * serving_bytes} signature: decoding, resizing, cropping and normalising happen in the graph,
   * exactly as TF Serving runs it.
   *
   * @throws TfHybridException when the SavedModel has no {@code serving_bytes} signature or a file
   *     is not an image format the graph decodes
   */
  public List<Classification> classifyImageFiles(List<Path> images) throws IOException {
    List<byte[]> encoded = new ArrayList<>();
    for (Path p : images) {
      encoded.add(readImage(p));
    }
    SavedModelImport.SignatureInfo sig;
    try {
      sig = imp.signature(ServingSignatures.SERVING_BYTES);
    } catch (IllegalArgumentException e) {
      throw new TfHybridException(
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
    int classes = (int) probs.shape()[1];
    float[] p = probs.toFloatArray();
    List<Classification> result = new ArrayList<>();
    for (int n = 0; n < images.size(); n++) {
      result.add(
          new Classification(
              images.get(n), Arrays.copyOfRange(p, n * classes, (n + 1) * classes)));
    }
    return result;
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
  private static byte[] readImage(Path p) throws IOException {
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(p.toString(), null, "the image to classify");
    }
    byte[] b = Files.readAllBytes(p);
    // FF D8 FF: the same JPEG test serving_bytes makes in the graph (PilTransform), so a file that
    // passes here is never sent down the wrong decoder there.
    boolean jpeg =
        b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    boolean png =
        b.length > 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    boolean gif = b.length > 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F';
    boolean bmp = b.length > 2 && b[0] == 'B' && b[1] == 'M';
    if (!(jpeg || png || gif || bmp)) {
      throw new TfHybridException(
          "cannot classify '" + p + "'",
          "a JPEG, PNG, GIF or BMP file",
          b.length == 0
              ? "an empty file"
              : "bytes " + HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(8, b.length)),
          "convert other formats (WebP, HEIC, TIFF) to PNG or JPEG first");
    }
    return b;
  }

  /** Closes the bundle. */
  @Override
  public void close() {
    imp.close();
  }
}
