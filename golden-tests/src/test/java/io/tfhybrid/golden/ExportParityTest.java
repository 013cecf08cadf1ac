package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.interop.verify.Verification;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case after export → reload: the case's {@code weights.pth}, built with the case's
 * own configuration (a Hugging Face hub folder: the folder, through the front door as a user loads
 * it, its {@code config.json} naming the model), exported as a SavedModel, reopened with {@code SavedModelBundle} (TF
 * Serving's loader), and the logits of its {@code serving_default} signature compared with
 * PyTorch's {@code logits.npy} at {@link Tolerance#DEFAULT}. The in-process features are covered by
 * the families' golden tests; this is the path TF Serving takes.
 */
class ExportParityTest {
  @TempDir Path tmp;

  static Stream<GoldenCase> cases() {
    return Stream.of(Arch.values()).flatMap(GoldenCase::all);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theReloadedExportMatchesPyTorch(GoldenCase c) throws Exception {
    c.verifyChecksums();
    // The case's configuration, not a detected one: some of a fixture's flags (ConTNet's
    // pre_norm, CvT's MLP activation) do not show in its keys and shapes. The transform only
    // shapes serving_bytes; serving_default takes pixels at the model's size either way.
    ModelChoice choice =
        new ModelChoice(
            c.arch(),
            c.name(),
            c.modelConfig(),
            c.height(),
            c.width(),
            new Preprocessing(
                Preprocessing.Interpolation.BILINEAR,
                Preprocessing.CropMode.SQUASH,
                c.height(),
                c.width(),
                c.height(),
                c.width(),
                Preprocessing.IMAGENET_MEAN,
                Preprocessing.IMAGENET_STD),
            List.of(new Reason(Reason.Kind.STATED, Reason.MODEL, "the golden case's config")));
    GoldenFixture.Output logits =
        c.expected().stream().filter(GoldenFixture.Output::isLogits).findFirst().orElseThrow();
    boolean hubFolder = c.fixture().metadataFile().equals(GoldenFixture.GOLDEN_JSON);
    SavedModelExport.Result r;
    try (LoadedModel model =
        hubFolder
            ? TfHybrid.load(c.dir(), LoadOptions.defaults())
            : TfHybrid.load(choice, Checkpoints.read(c.weights(Format.PTH)), LoadOptions.defaults())) {
      r = model.export(tmp.resolve(c.arch().id() + "_" + c.name()));
    }
    try (ServingModel saved = TfHybrid.openSavedModel(r.versionDir())) {
      Verification v =
          saved.verifyNormalized(
              ServingSignatures.SERVING_DEFAULT, c.inputNhwc(), c.tensor(logits), Tolerance.DEFAULT);
      System.out.printf(
          "[%s export→reload] serving_default logits vs %s max|Δ| %.3e%n",
          c, logits.file(), v.maxAbsDiff());
      assertTrue(v.ok(), c + ": " + v);
    }
  }
}
