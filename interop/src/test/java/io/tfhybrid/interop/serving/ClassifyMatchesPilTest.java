package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.conv2former.Conv2Former;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The library's classify call (what {@code tfhybrid predict} prints) on the PIL image suite gives
 * the probabilities of the same export's {@code serving_default} on the pixels PIL + torchvision
 * made of those files: Java, the CLI and TF Serving answer alike for the same file.
 */
class ClassifyMatchesPilTest {

  @TempDir static Path tmp;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"center_0875, BICUBIC", "squash_095, BILINEAR"})
  void classifyImageFilesEqualsServingDefaultOnPilPixels(String rule, Interpolation interpolation)
      throws IOException {
    Preprocessing p =
        PilImagesTest.preprocessing(PilImagesTest.MANIFEST.get("rules").get(rule), interpolation);
    Path version;
    try (BuiltModel m =
        BuiltModel.build(
            "tiny_conv2former",
            new Conv2Former(TinyModels.CONFIG),
            p.cropHeight(),
            p.cropWidth())) {
      WeightLoader.load(m, TinyModels.randomStateDict(7));
      version =
          SavedModelExport.builder()
              .model(m)
              .preprocessing(p)
              .modelDir(tmp.resolve(rule), "tiny")
              .source("random-7")
              .config(TinyModels.CONFIG)
              .build()
              .export()
              .versionDir();
    }
    List<String> files = PilImagesTest.images().toList();
    List<Path> paths = new ArrayList<>();
    int n = p.cropHeight() * p.cropWidth() * 3;
    float[] pil = new float[files.size() * n];
    String key = rule + "." + interpolation.name().toLowerCase(Locale.ROOT);
    for (int i = 0; i < files.size(); i++) {
      paths.add(PilImagesTest.DIR.resolve(files.get(i)));
      long[] px = PilImagesTest.expected(files.get(i)).get(key).toLongArray();
      for (int k = 0; k < n; k++) {
        pil[i * n + k] = px[k];
      }
    }
    HostTensor pixels =
        HostTensor.ofFloats(new long[] {files.size(), p.cropHeight(), p.cropWidth(), 3}, pil);
    try (ServingModel model = TfHybrid.openSavedModel(version)) {
      List<ServingModel.Classification> classified = model.classifyImageFiles(paths);
      float[] ref =
          model
              .run(
                  ServingSignatures.SERVING_DEFAULT, Map.of(ServingSignatures.INPUT_IMAGES, pixels))
              .get(ServingSignatures.OUTPUT_PROBABILITIES)
              .toFloatArray();
      assertEquals(files.size(), classified.size());
      int classes = ref.length / files.size();
      double max = 0;
      double spread =
          0; // how much the answer depends on the picture, so that equality means something
      for (int i = 0; i < files.size(); i++) {
        float[] ours = classified.get(i).probabilities();
        assertEquals(classes, ours.length);
        for (int c = 0; c < classes; c++) {
          max = Math.max(max, Math.abs(ours[c] - ref[i * classes + c]));
          spread = Math.max(spread, Math.abs(ref[i * classes + c] - ref[c]));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "classify %s %s: %d files, max |Δ probability| vs serving_default(PIL pixels) %.2e"
              + " (probabilities vary by %.2e across the files)%n",
          rule,
          interpolation,
          files.size(),
          max,
          spread);
      assertTrue(spread > 1e-3, "the tiny model gives every file the same answer");
      assertTrue(max <= 1e-4, "max |Δ probability| " + max);
    }
  }
}
