package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.verify.ReferenceOutputs;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.interop.verify.Verification;
import io.tfhybrid.nn.HostTensor;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * For every family: a golden checkpoint loaded through the front door and exported; the model
 * rebuilt from the SavedModel's metadata (config JSON, input size, transform, variables) has the
 * same config and computes the same logits, and the reloaded SavedModel verifies against them.
 */
class SavedModelRebuildTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Arch.class)
  void theModelIsRebuiltFromItsExport(Arch arch) throws Exception {
    GoldenCase c = GoldenCase.all(arch).findFirst().orElseThrow();
    c.verifyChecksums();
    HostTensor x = c.inputNhwc();
    LoadOptions options = LoadOptions.defaults().withInputSize(c.height(), c.width());
    try (LoadedModel model = TfHybrid.load(c.weights(Format.PTH), options)) {
      HostTensor logits = model.logitsFromNormalized(x);
      SavedModelExport.Result r = model.export(tmp.resolve(arch.id()));
      try (ServingModel saved = TfHybrid.openSavedModel(r.versionDir());
          LoadedModel rebuilt = saved.rebuild()) {
        assertEquals(model.config(), rebuilt.config(), c.toString());
        assertEquals(model.arch(), rebuilt.arch());
        assertEquals(model.preprocessing(), rebuilt.preprocessing());
        assertEquals(model.height(), rebuilt.height());
        assertEquals(Reason.Kind.READ, rebuilt.reasons().get(0).kind());
        assertArrayEquals(
            logits.toFloatArray(), rebuilt.logitsFromNormalized(x).toFloatArray(), c.toString());
        Verification v =
            saved.verifyNormalized("serving_default", x, logits, Tolerance.DEFAULT);
        System.out.printf(
            "[%s] rebuilt from %s: logits equal; serving_default max|Δ| %.3e%n",
            c, r.versionDir().getFileName(), v.maxAbsDiff());
        assertEquals(true, v.ok(), v.toString());
        assertEquals(
            true,
            rebuilt.verifyNormalized(x, ReferenceOutputs.logits(logits)).ok(),
            "rebuilt model against the loaded one");
      }
    }
  }
}
