package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.cvt.CvtHfNames;
import io.tfhybrid.arch.cvt.CvtHfTable;
import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.KerasH5;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hugging Face checkpoints: each fixture's state dict renamed with the spec's §7 table to HF
 * PyTorch keys and to HF TF variable names (kernels in Keras layout, no num_batches_tracked), the
 * latter also written as a {@code tf_model.h5} in the Keras save_weights layout and read back with
 * {@link Checkpoints#read}, converted back with {@link CvtHfNames}, loaded strictly, and compared
 * with the same reference outputs as the original file.
 */
@Tag("golden")
class CvtHfGoldenTest {
  enum Naming {
    HF_PYTORCH,
    HF_TF,
    /** HF_TF written to an HDF5 file as HF's {@code save_pretrained} lays it out, then read. */
    HF_TF_H5
  }

  @TempDir static Path tmp;

  static Stream<Arguments> cases() {
    return GoldenCase.all(Arch.CVT)
        .flatMap(c -> Stream.of(Naming.values()).map(n -> Arguments.of(c, n)));
  }

  static Stream<GoldenCase> goldenCases() {
    return GoldenCase.all(Arch.CVT);
  }

  static StateDict hfStateDict(GoldenCase c, Naming naming) throws IOException {
    StateDict original = Checkpoints.read(c.weights(Format.SAFETENSORS));
    LinkedHashMap<String, HostTensor> hf = naming == Naming.HF_PYTORCH
        ? CvtHfTable.toHfPytorch(original.asMap())
        : CvtHfTable.toHfTf(original.asMap());
    if (naming == Naming.HF_TF_H5) {
      Path h5 = tmp.resolve(c.name() + "_tf_model.h5");
      KerasH5.write(h5, hf, CvtHfTable::kerasLayer, 0);
      assertEquals(Checkpoints.Format.HDF5, Checkpoints.detect(h5));
      StateDict read = Checkpoints.read(h5);
      assertEquals(List.copyOf(hf.keySet()), read.keys(), "keys in weight_names order");
      return read;
    }
    return StateDict.of(naming.name().toLowerCase(java.util.Locale.ROOT) + ".weights", hf,
        List.of());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void hfNamesGiveTheReferenceOutputs(GoldenCase c, Naming naming) throws IOException {
    c.verifyChecksums();
    StateDict hf = hfStateDict(c, naming);
    assertTrue(hf.keys().stream().allMatch(CvtHfNames::isHfKey), "every name is an HF name");
    CvtHfNames.Converted conv = CvtHfNames.toOriginal(hf.asMap());
    List<String> notes = new ArrayList<>(hf.notes());
    notes.addAll(conv.notes());
    StateDict sd = StateDict.of(hf.source(), conv.tensors(), notes);
    notes.forEach(n -> System.out.println("[" + c + " " + naming + "] note: " + n));
    if (naming != Naming.HF_PYTORCH) {
      assertTrue(conv.notes().stream().anyMatch(n -> n.contains("num_batches_tracked")));
    }
    GoldenHarness.check(c, naming.name().toLowerCase(java.util.Locale.ROOT), sd,
        CvtConfig.fromFixture(c.metadata()).createModule());
  }

  /**
   * The exact-GELU choice (Hugging Face's Python forward) runs on the same weights and moves the
   * logits away from the official reference by the amount the spec reports (0.005–0.022).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void exactGeluIsAConfigChoice(GoldenCase c) throws IOException {
    CvtConfig erf = CvtConfig.fromFixture(c.metadata()).withMlpActivation(GeluKind.ERF);
    try (BuiltModel m = BuiltModel.build(c.toString(), erf.createModule(), c.height(), c.width())) {
      WeightLoader.load(m, Checkpoints.read(c.weights(Format.SAFETENSORS)));
      HostTensor nhwc = c.inputNhwc();
      float[] ours = m.run(nhwc, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS).toFloatArray();
      float[] ref = GoldenCase.npy(c.file("logits.npy")).toFloatArray();
      assertEquals(ref.length, ours.length);
      double max = 0;
      for (int i = 0; i < ref.length; i++) {
        max = Math.max(max, Math.abs(ref[i] - ours[i]));
      }
      System.out.printf("[%s] exact GELU vs official QuickGELU logits: max|Δ| %.3e%n", c, max);
      assertTrue(max > 1e-3 && max < 0.1, "exact GELU logits differ by " + max);
    }
  }
}
