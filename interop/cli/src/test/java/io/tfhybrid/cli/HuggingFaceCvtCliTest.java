package io.tfhybrid.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.cvt.CvtHfTable;
import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.KerasH5;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.interop.checkpoint.SafetensorsFiles;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.detect.ModelDetector;
import io.tfhybrid.interop.load.HuggingFaceCvt;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} and {@code verify} on Hugging Face CvT checkpoints: the golden case
 * cvt/cls_b2_64x80 renamed with the spec's §7 table ({@code CvtHfTable}) into an HF PyTorch
 * {@code model.safetensors} and an HF TF {@code tf_model.h5} (Keras save_weights layout, kernels in
 * TF layout, no BatchNorm counters), both written here.
 *
 * <p>The reference outputs are those of the ORIGINAL file in the model {@code --model auto} picks
 * for it: CvT does not store its head counts, and the inferred ones (head dim 64, so one head per
 * stage here) are not the case's [1, 2, 3]. So verify proves that an HF file gives bit for bit the
 * model of the original one; golden parity of the names is {@code CvtHfGoldenTest}'s, and {@link
 * #theGoldenFeaturesMatchUpToTheFirstHeadCountTheCheckpointDoesNotStore} shows the golden outputs
 * through the command line as far as the inferred heads agree with the case.
 */
class HuggingFaceCvtCliTest {
  static final Path CASE = CliTest.GOLDEN.resolve("cvt/cls_b2_64x80");

  @TempDir static Path tmp;
  static Path safetensors;
  static Path h5;
  static Path quickRef;

  @BeforeAll
  static void writeCheckpointsAndReference() throws IOException {
    StateDict original = Checkpoints.read(CASE.resolve("weights.safetensors"));
    safetensors = tmp.resolve("model.safetensors");
    SafetensorsFiles.write(safetensors, CvtHfTable.toHfPytorch(original.asMap()));
    h5 = tmp.resolve("tf_model.h5");
    KerasH5.write(h5, CvtHfTable.toHfTf(original.asMap()), CvtHfTable::kerasLayer, 0);
    quickRef = reference(original, GeluKind.QUICK, tmp.resolve("ref-quick"));
  }

  /** Logits and every captured output of the model auto-detected for the original keys. */
  static Path reference(StateDict original, GeluKind gelu, Path dir) throws IOException {
    HostTensor nchw = NpyReader.readArray(CASE.resolve("input.npy"));
    long[] s = nchw.shape();
    ModelChoice c =
        ModelDetector.detect("weights.safetensors", original.shapes(), null)
            .atSize((int) s[2], (int) s[3])
            .withMlpActivation(gelu);
    Files.createDirectories(dir);
    try (LoadedModel l = TfHybrid.load(c, original, LoadOptions.defaults())) {
      List<String> fetch = new ArrayList<>(l.builtModel().outputs().keySet());
      fetch.remove(BuiltModel.FEATURES);
      Map<String, HostTensor> out = l.runNormalized(Layouts.nchwToNhwc(nchw), fetch);
      for (Map.Entry<String, HostTensor> e : out.entrySet()) {
        String name =
            e.getKey().equals(BuiltModel.LOGITS) ? "logits.npy" : "feature." + e.getKey() + ".npy";
        NpyReader.write(dir.resolve(name), e.getValue());
      }
    }
    return dir;
  }

  static CliTest.Run verify(Path checkpoint, Path expectDir, Path features, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                checkpoint.toString(),
                "--input",
                CASE.resolve("input.npy").toString(),
                "--expect",
                expectDir.resolve("logits.npy").toString(),
                "--features",
                features.toString()));
    args.addAll(List.of(extra));
    return CliTest.run(args.toArray(new String[0]));
  }

  @Test
  void theLibraryLoadsHuggingFaceFilesAndFoldersThroughTheSameCall() throws IOException {
    HostTensor x = Layouts.nchwToNhwc(NpyReader.readArray(CASE.resolve("input.npy")));
    long[] s = x.shape();
    LoadOptions o = LoadOptions.defaults().withInputSize((int) s[1], (int) s[2]);
    Path hub = Files.createDirectories(tmp.resolve("hub-snapshot"));
    Files.copy(safetensors, hub.resolve("model.safetensors"));
    try (LoadedModel original = TfHybrid.load(CASE.resolve("weights.safetensors"), o);
        LoadedModel hf = TfHybrid.load(safetensors, o);
        LoadedModel folder = TfHybrid.load(hub, o);
        LoadedModel keras = TfHybrid.load(h5, o)) {
      float[] want = original.logitsFromNormalized(x).toFloatArray();
      for (LoadedModel m : List.of(hf, folder, keras)) {
        assertEquals(original.config(), m.config(), m.source());
        assertArrayEquals(want, m.logitsFromNormalized(x).toFloatArray(), m.source());
        assertTrue(m.report().notes().contains(HuggingFaceCvt.GELU_NOTE), m.report().notes().toString());
      }
    }
  }

  @Test
  void hfPytorchSafetensorsIsRenamedAndVerifies() {
    CliTest.Run r = verify(safetensors, quickRef, quickRef);
    assertEquals(0, r.status(), r.toString());
    String out = r.out();
    assertTrue(
        out.contains("  note: renamed 187 Hugging Face PyTorch keys to original CvT keys\n"), out);
    assertTrue(out.contains("  note: " + HuggingFaceCvt.GELU_NOTE + "\n"), out);
    assertTrue(out.contains("model: cvt_inferred (CvT) at 64x80\n"), out);
    assertTrue(out.contains("ok: 135 tensors within 1e-04"), out);
    assertTrue(out.contains("feature.stage2.blocks.1 ") && out.contains("0.000e+00"), out);
  }

  @Test
  void hfTensorFlowH5IsReadRenamedTransposedAndVerifies() {
    CliTest.Run r = verify(h5, quickRef, quickRef);
    assertEquals(0, r.status(), r.toString());
    String out = r.out();
    assertTrue(
        out.contains(
            "  note: HDF5 file in the Keras save_weights layout: 3 layers, 172 weights keyed by"
                + " their weight names\n"),
        out);
    assertTrue(
        out.contains(
            "  note: renamed 172 Hugging Face TensorFlow variables to original CvT keys (49"
                + " kernels viewed in PyTorch shape, their bytes kept in TensorFlow layout)\n"),
        out);
    assertTrue(out.contains("  note: added 15 BatchNorm 'num_batches_tracked' counters"), out);
    assertTrue(out.contains("  note: " + HuggingFaceCvt.GELU_NOTE + "\n"), out);
    assertTrue(out.contains("ok: 135 tensors within 1e-04"), out);
  }

  @Test
  void theGoldenFeaturesMatchUpToTheFirstHeadCountTheCheckpointDoesNotStore() {
    // The official outputs of the case, through the .h5: stage 0 has one head in the case and in
    // the inferred model; stage 1 has two in the case, one inferred (head dim 64 assumed).
    CliTest.Run r = verify(h5, CASE, CASE);
    assertEquals(1, r.status(), r.toString());
    String out = r.out();
    assertTrue(out.contains("  why: num_heads [1, 1, 1]: not stored"), out);
    assertTrue(
        out.contains(
            "FAILED: first divergent capture in forward order is 'feature.stage1.blocks.0'; last"
                + " capture that matched: feature.stage1.blocks.0.attn.conv_proj_k"),
        out);
  }

  @Test
  void geluErfReproducesTheExactGeluModelOnTheSameWeights() throws IOException {
    StateDict original = Checkpoints.read(CASE.resolve("weights.safetensors"));
    Path erfRef = reference(original, GeluKind.ERF, tmp.resolve("ref-erf"));
    CliTest.Run quick = verify(h5, erfRef, erfRef);
    assertEquals(1, quick.status(), quick.toString());
    CliTest.Run erf = verify(h5, erfRef, erfRef, "--gelu", "erf");
    assertEquals(0, erf.status(), erf.toString());
    assertTrue(
        erf.out()
            .contains(
                "  why: MLP activation exact GELU: --gelu erf (reproduces Hugging Face's Python"
                    + " CvT; the official model runs the same weights with QuickGELU)\n"),
        erf.out());
    assertTrue(erf.out().contains("mlpActivation=ERF"), erf.out());
    assertTrue(!erf.out().contains("mlpActivation=QUICK"), erf.out());
  }

  @Test
  void convertWritesASavedModelThatVerifies() {
    Path out = tmp.resolve("models/cvt_hf");
    CliTest.Run c = CliTest.run("convert", h5.toString(), "--out", out.toString(), "--size", "64x80");
    assertEquals(0, c.status(), c.toString());
    assertTrue(c.out().contains("detected: cvt_inferred (CvT)\n"), c.out());
    assertTrue(c.out().contains("  note: renamed 172 Hugging Face TensorFlow variables"), c.out());
    assertTrue(c.out().contains("  note: " + HuggingFaceCvt.GELU_NOTE + "\n"), c.out());
    CliTest.Run v =
        CliTest.run(
            "verify",
            out.resolve("1").toString(),
            "--input",
            CASE.resolve("input.npy").toString(),
            "--expect",
            quickRef.resolve("logits.npy").toString());
    assertEquals(0, v.status(), v.toString());
    assertTrue(v.out().contains("ok: 1 tensors within 1e-04"), v.out());
  }

  @Test
  void geluIsACvtOptionWithTwoValues() {
    Path c2f = CliTest.CASE;
    CliTest.Run other =
        CliTest.run(
            "verify",
            c2f.resolve("weights.safetensors").toString(),
            "--input",
            c2f.resolve("input.npy").toString(),
            "--expect",
            c2f.resolve("logits.npy").toString(),
            "--gelu",
            "erf");
    assertEquals(2, other.status(), other.toString());
    assertTrue(
        other
            .err()
            .startsWith(
                "tfhybrid verify: error: --gelu for Conv2Former 'conv2former_inferred': expected a"
                    + " CvT model (the MLP activation is a CvT build choice), found Conv2Former\n"
                    + "hint: leave --gelu out\n"),
        other.err());
    CliTest.Run bad = verify(h5, quickRef, quickRef, "--gelu", "tanh");
    assertEquals(2, bad.status(), bad.toString());
    assertTrue(
        bad.err()
            .startsWith(
                "tfhybrid verify: error: Invalid value for option '--gelu': expected quick"
                    + " (QuickGELU, the official CvT) or erf (exact GELU, Hugging Face's Python"
                    + " CvT), found 'tanh'\n"),
        bad.err());
  }
}
