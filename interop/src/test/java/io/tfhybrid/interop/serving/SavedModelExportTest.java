package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.serving.proto.PredictionLog;
import io.tfhybrid.nn.HostTensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/** Export → reload with the C++ loader TF Serving uses → the contract TF Serving relies on. */
class SavedModelExportTest {
  @TempDir static Path tmp;

  static StateDict weights;
  static BuiltModel model;
  static SavedModelExport.Result exported;

  @BeforeAll
  static void export() throws IOException {
    weights = TinyModels.randomStateDict(11);
    model = TinyModels.loaded(weights);
    exported =
        SavedModelExport.builder()
            .model(model)
            .preprocessing(TinyModels.RESIZE_ONLY)
            .modelDir(tmp.resolve("models"), "tiny")
            .source("random-11")
            .config(TinyModels.CONFIG)
            .build()
            .export();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void writesTheTfServingLayout() {
    assertEquals(tmp.resolve("models/tiny/1"), exported.versionDir());
    assertEquals(1, exported.version());
    for (String f :
        List.of(
            "saved_model.pb",
            "variables/variables.index",
            "variables/variables.data-00000-of-00001",
            ServingSignatures.WARMUP_FILE,
            ServingSignatures.METADATA_FILE)) {
      assertTrue(Files.isRegularFile(exported.versionDir().resolve(f)), f);
    }
  }

  @Test
  void reloadsWithTagsSignaturesMethodNamesDtypesAndShapes() {
    try (SavedModelBundle b = SavedModelBundle.load(exported.versionDir().toString(), "serve")) {
      MetaGraphDef mg = b.metaGraphDef();
      assertEquals(List.of("serve"), mg.getMetaInfoDef().getTagsList());
      assertEquals(
          Set.of("serving_default", "serving_bytes", "features"), mg.getSignatureDefMap().keySet());
      for (SignatureDef s : mg.getSignatureDefMap().values()) {
        assertEquals("tensorflow/serving/predict", s.getMethodName());
      }
      SignatureDef d = mg.getSignatureDefOrThrow("serving_default");
      assertTensor(d.getInputsOrThrow("images"), DataType.DT_FLOAT, -1, 48, 40, 3);
      assertTensor(d.getOutputsOrThrow("logits"), DataType.DT_FLOAT, -1, 3);
      assertTensor(d.getOutputsOrThrow("probabilities"), DataType.DT_FLOAT, -1, 3);
      assertEquals(Set.of("images"), d.getInputsMap().keySet());
      assertEquals(Set.of("logits", "probabilities"), d.getOutputsMap().keySet());
      SignatureDef bytes = mg.getSignatureDefOrThrow("serving_bytes");
      assertTensor(bytes.getInputsOrThrow("image_bytes"), DataType.DT_STRING, -1);
      assertTensor(bytes.getOutputsOrThrow("logits"), DataType.DT_FLOAT, -1, 3);
      assertTensor(bytes.getOutputsOrThrow("probabilities"), DataType.DT_FLOAT, -1, 3);
      SignatureDef f = mg.getSignatureDefOrThrow("features");
      assertTensor(f.getInputsOrThrow("images"), DataType.DT_FLOAT, -1, 48, 40, 3);
      assertTensor(f.getOutputsOrThrow("features"), DataType.DT_FLOAT, -1, 1280);
    }
  }

  private static void assertTensor(TensorInfo t, DataType dtype, long... shape) {
    assertEquals(dtype, t.getDtype(), t.getName());
    assertFalse(t.getTensorShape().getUnknownRank(), t.getName());
    long[] dims = t.getTensorShape().getDimList().stream().mapToLong(x -> x.getSize()).toArray();
    assertArrayEquals(shape, dims, t.getName());
  }

  @Test
  void variablesCarryThePyTorchKeys() throws IOException {
    try (SavedModelImport imp = SavedModelImport.open(exported.versionDir())) {
      Set<String> stored = new HashSet<>();
      imp.variableInfos().forEach(v -> stored.add(v.key()));
      Set<String> expected = new HashSet<>();
      model.root().variableSpec().forEach(s -> expected.add(s.key()));
      assertEquals(expected, stored);
      assertTrue(stored.contains("stages.0.0.attn.att.2.weight"));
    }
  }

  @Test
  void reloadedOutputsEqualTheInMemoryGraph() throws IOException {
    HostTensor pixels = TinyModels.pixels(3, 5);
    Map<String, HostTensor> inMemory =
        model.run(
            TinyModels.normalized(pixels, TinyModels.RESIZE_ONLY), List.of("logits", "features"));
    try (SavedModelImport imp = SavedModelImport.open(exported.versionDir())) {
      Map<String, HostTensor> logits = imp.run("serving_default", Map.of("images", pixels));
      Map<String, HostTensor> features = imp.run("features", Map.of("images", pixels));
      assertClose(inMemory.get("logits"), logits.get("logits"), 1e-5);
      assertClose(inMemory.get("features"), features.get("features"), 1e-5);
      float[] p = logits.get("probabilities").toFloatArray();
      for (int n = 0; n < 3; n++) {
        assertEquals(1.0, p[3 * n] + p[3 * n + 1] + p[3 * n + 2], 1e-5);
      }
      // The same serving subgraph run in the exporting session gives identical bits.
      try (Tensor x = Tensors.toTensor(pixels);
          Result r =
              model.session().runner().feed("images", x).fetch("serving_default/logits").run()) {
        assertArrayEquals(
            Tensors.toHost(r.get(0)).toFloatArray(), logits.get("logits").toFloatArray());
      }
    }
  }

  @Test
  void servingBytesOnAJpegGivesTheClassOfServingDefaultOnTheDecodedPixels() throws IOException {
    BufferedImage picture = ImageFixtures.photoLike(TinyModels.W, TinyModels.H, 3);
    byte[] jpeg = WarmupRequests.encode(picture, "jpg");
    byte[] png = WarmupRequests.encode(picture, "png");
    HostTensor decodedJpeg =
        ImageFixtures.pixels(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg)));
    HostTensor exact = ImageFixtures.pixels(picture);
    try (SavedModelImport imp = SavedModelImport.open(exported.versionDir());
        var bytes = Tensors.strings(List.of(jpeg, png))) {
      float[] fromBytes =
          imp.runTensors("serving_bytes", Map.of("image_bytes", bytes))
              .get("logits")
              .toFloatArray();
      float[] fromJpegPixels =
          imp.run("serving_default", Map.of("images", decodedJpeg)).get("logits").toFloatArray();
      float[] fromExactPixels =
          imp.run("serving_default", Map.of("images", exact)).get("logits").toFloatArray();
      System.out.println(
          "JPEG logits via serving_bytes "
              + java.util.Arrays.toString(java.util.Arrays.copyOf(fromBytes, 3))
              + " via decoded pixels "
              + java.util.Arrays.toString(fromJpegPixels));
      assertEquals(argmax(fromJpegPixels, 0), argmax(fromBytes, 0), "JPEG: same class");
      // PNG is lossless and the resize is the identity here: the same logits up to rounding.
      for (int c = 0; c < 3; c++) {
        assertEquals(fromExactPixels[c], fromBytes[3 + c], 1e-4, "PNG logit " + c);
      }
    }
  }

  static int argmax(float[] f, int row) {
    int best = 0;
    for (int c = 1; c < 3; c++) {
      if (f[3 * row + c] > f[3 * row + best]) {
        best = c;
      }
    }
    return best;
  }

  @Test
  void warmupFileReadsBackWithCrcAndEveryRequestRuns() throws IOException {
    Path file = exported.versionDir().resolve(ServingSignatures.WARMUP_FILE);
    List<PredictionLog> logs = WarmupRequests.read(file);
    List<String> signatures = new ArrayList<>();
    for (PredictionLog log : logs) {
      assertTrue(log.hasPredictLog());
      assertEquals("tiny", log.getPredictLog().getRequest().getModelSpec().getName());
      signatures.add(log.getPredictLog().getRequest().getModelSpec().getSignatureName());
      // Wire compatibility: every input parses as TensorFlow's own TensorProto.
      for (var in : log.getPredictLog().getRequest().getInputsMap().values()) {
        org.tensorflow.proto.TensorProto tf =
            org.tensorflow.proto.TensorProto.parseFrom(in.toByteArray());
        assertEquals(in.getDtype().getNumber(), tf.getDtype().getNumber());
        assertEquals(in.getTensorShape().getDimCount(), tf.getTensorShape().getDimCount());
      }
    }
    assertEquals(ServingSignatures.ALL, signatures);
    try (SavedModelImport imp = SavedModelImport.open(exported.versionDir())) {
      List<SavedModelImport.WarmupResult> results = imp.replayWarmup();
      assertEquals(3, results.size());
      assertArrayEquals(new long[] {1, 3}, results.get(0).outputs().get("logits").shape());
      assertArrayEquals(new long[] {2, 3}, results.get(1).outputs().get("logits").shape());
      assertArrayEquals(new long[] {1, 1280}, results.get(2).outputs().get("features").shape());
    }
  }

  @Test
  void aCorruptWarmupRecordFailsItsCrc() throws IOException {
    Path copy = tmp.resolve("corrupt_warmup");
    byte[] b = Files.readAllBytes(exported.versionDir().resolve(ServingSignatures.WARMUP_FILE));
    b[40] ^= 1;
    Files.write(copy, b);
    IOException e = assertThrows(IOException.class, () -> WarmupRequests.read(copy));
    assertEquals(
        "'corrupt_warmup' record 0 at byte 0: data CRC mismatch",
        e.getMessage().replaceAll(": expected .*", ""));
  }

  @Test
  void protoEnumsAndFieldsMatchTensorFlow() {
    for (io.tfhybrid.interop.serving.proto.DataType d :
        io.tfhybrid.interop.serving.proto.DataType.values()) {
      if (d != io.tfhybrid.interop.serving.proto.DataType.UNRECOGNIZED) {
        assertEquals(d.getNumber(), DataType.valueOf(d.name()).getNumber(), d.name());
      }
    }
    var ours = WarmupRequests.floatTensor(new long[] {2, 2}, new float[] {1.5f});
    try (Tensor t = WarmupRequests.toTensor(ours)) {
      assertArrayEquals(
          new float[] {1.5f, 1.5f, 1.5f, 1.5f},
          Tensors.toHost(t).toFloatArray(),
          "a short value list repeats its last value");
    }
  }

  @Test
  void anExistingVersionIsNeverOverwrittenUnlessAsked() throws IOException {
    Path dir = tmp.resolve("again");
    SavedModelExport.Builder b = TinyModels.exporter(model, dir);
    assertEquals(1, b.build().export().version());
    assertEquals(2, b.build().export().version(), "auto takes the next integer");
    long before = Files.getLastModifiedTime(dir.resolve("1/saved_model.pb")).toMillis();
    FileAlreadyExistsException e =
        assertThrows(FileAlreadyExistsException.class, () -> b.version(1).build().export());
    assertTrue(e.getMessage().contains("version 1 of 'again' exists"), e.getMessage());
    assertEquals(before, Files.getLastModifiedTime(dir.resolve("1/saved_model.pb")).toMillis());
    assertEquals(List.of("1", "2"), children(dir));
    b.version(1).overwrite(true).build().export();
    assertEquals(List.of("1", "2"), children(dir), "replaced in place, no leftovers");
  }

  @Test
  void anExportThatFailsHalfwayLeavesNothingBehind() throws IOException {
    for (int failAt = 2; failAt <= 5; failAt++) {
      Path dir = tmp.resolve("failing" + failAt);
      int stop = failAt;
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  SavedModelExport.builder()
                      .model(model)
                      .preprocessing(TinyModels.RESIZE_ONLY)
                      .modelDir(dir)
                      .listener(
                          (i, n, what) -> {
                            if (i == stop) {
                              throw new IllegalStateException(
                                  "simulated crash at step " + i + ": " + what);
                            }
                          })
                      .build()
                      .export());
      assertTrue(e.getMessage().startsWith("simulated crash"), e.getMessage());
      assertEquals(List.of(), children(dir), "leftovers after a crash at step " + stop);
    }
  }

  @Test
  void staleStagingOfAKilledExportIsRemovedAndNamed() throws Exception {
    Path dir = tmp.resolve("killed");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long self = ProcessHandle.current().pid();
    Path killed = Files.createDirectories(dir.resolve(".tmp-1-" + gone.pid() + "-123/variables"));
    Files.write(killed.resolve("variables.data-00000-of-00001"), new byte[4096]);
    Path oldUnnamed = Files.createDirectories(dir.resolve(".old-1-4567"));
    Files.setLastModifiedTime(
        oldUnnamed, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
    Path running = Files.createDirectories(dir.resolve(".tmp-1-" + self + "-99"));
    Path freshUnnamed = Files.createDirectories(dir.resolve(".tmp-1-77"));
    List<String> notes = new ArrayList<>();
    SavedModelExport.Result r =
        TinyModels.exporter(model, dir)
            .listener(
                new SavedModelExport.Listener() {
                  @Override
                  public void step(int index, int total, String description) {}

                  @Override
                  public void note(String message) {
                    notes.add(message);
                  }
                })
            .build()
            .export();
    assertEquals(Set.of(killed.getParent(), oldUnnamed), Set.copyOf(r.removedStaging()));
    assertEquals(
        List.of(
            "removed the stale staging directory '"
                + killed.getParent()
                + "' of an export that was killed",
            "removed the stale staging directory '" + oldUnnamed + "' of an export that was killed"),
        notes.stream().sorted(java.util.Comparator.comparing(n -> !n.contains(".tmp-"))).toList());
    assertFalse(Files.exists(killed.getParent()));
    assertTrue(Files.isDirectory(running), "a staging directory of a live process stays");
    assertTrue(Files.isDirectory(freshUnnamed), "an unnamed staging directory under an hour stays");
    assertEquals(dir.resolve("1"), r.versionDir());
  }

  @Test
  void anOutputPathThroughAFileIsAnEnvironmentError() throws IOException {
    Path file = Files.write(tmp.resolve("a-file"), new byte[1]);
    Path dir = file.resolve("model");
    ExportEnvironmentException e =
        assertThrows(
            ExportEnvironmentException.class,
            () ->
                SavedModelExport.builder()
                    .model(model)
                    .preprocessing(TinyModels.RESIZE_ONLY)
                    .modelDir(dir)
                    .build()
                    .export());
    assertEquals(
        "cannot write the SavedModel to '"
            + dir
            + "': Not a directory (a component of the path is a file, not a directory)",
        e.getMessage());
  }

  @Test
  void fullAndReadOnlyFileSystemsAreEnvironmentErrors() {
    Path dir = Path.of("exported", "m");
    RuntimeException tf =
        new RuntimeException(
            "RESOURCE_EXHAUSTED: exported/m/.tmp-1-5-6/variables/variables.data-00000-of-00001;"
                + " No space left on device");
    assertEquals(
        "cannot write the SavedModel to '"
            + dir
            + "': No space left on device (free some space or export elsewhere)",
        ExportEnvironmentException.of(dir, tf).getMessage());
    java.nio.file.FileSystemException ro =
        new java.nio.file.FileSystemException("exported/m", null, "Read-only file system");
    assertEquals(
        "cannot write the SavedModel to '"
            + dir
            + "': Read-only file system (export to a writable directory)",
        ExportEnvironmentException.of(dir, new IOException("wrapped", ro)).getMessage());
    assertEquals(null, ExportEnvironmentException.of(dir, new IllegalStateException("a bug")));
  }

  @Test
  void rejectsAPreprocessingThatDoesNotCropToTheModelInput() {
    var wrong =
        new io.tfhybrid.arch.Preprocessing(
            io.tfhybrid.arch.Preprocessing.Interpolation.BICUBIC,
            0,
            64,
            64,
            io.tfhybrid.arch.Preprocessing.IMAGENET_MEAN,
            io.tfhybrid.arch.Preprocessing.IMAGENET_STD);
    try (BuiltModel other = TinyModels.loaded(weights)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  SavedModelExport.builder()
                      .model(other)
                      .preprocessing(wrong)
                      .modelDir(tmp.resolve("wrong"))
                      .build()
                      .export());
      assertEquals(
          "preprocessing crops 64x64 but the model 'tiny_conv2former' was built for 48x40"
              + " inputs",
          e.getMessage());
    }
  }

  static List<String> children(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static void assertClose(HostTensor expected, HostTensor found, double tol) {
    assertArrayEquals(expected.shape(), found.shape());
    float[] e = expected.toFloatArray();
    float[] f = found.toFloatArray();
    double max = 0;
    for (int i = 0; i < e.length; i++) {
      max = Math.max(max, Math.abs(e[i] - f[i]));
    }
    assertTrue(max <= tol, "max |Δ| " + max + " > " + tol);
  }
}
