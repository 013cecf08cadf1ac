package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.conv2former.Conv2Former;
import io.tfhybrid.arch.conv2former.Conv2FormerConfig;
import io.tfhybrid.arch.conv2former.Conv2FormerVariants;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.ops.Layouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ../shared/checkpoint-formats: one Conv2Former case (b2_k7_min32x31) saved the ways real releases
 * are. Every file must load and reproduce its expected logits.
 */
@Tag("golden")
class Conv2FormerCheckpointFormatsTest {
  /** The project's copy of ../shared/checkpoint-formats. */
  static final Path DIR = TestFiles.shared("checkpoint-formats");

  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of("legacy_format.pth", ReadOptions.defaults(), "logits.npy"),
        Arguments.of("timm_saver_wrapped.pth.tar", ReadOptions.defaults(), "logits.npy"),
        Arguments.of("timm_saver_wrapped.pth.tar", ReadOptions.defaults().withEma(), "logits.npy"),
        Arguments.of("module_prefix_in_model_key.pth", ReadOptions.defaults(), "logits.npy"),
        Arguments.of("weights_fp16.pth", ReadOptions.defaults(), "logits_fp16.npy"),
        Arguments.of("weights_fp16.safetensors", ReadOptions.defaults(), "logits_fp16.npy"),
        Arguments.of("weights_bf16.pth", ReadOptions.defaults(), "logits_bf16.npy"),
        Arguments.of("weights_bf16.safetensors", ReadOptions.defaults(), "logits_bf16.npy"),
        Arguments.of("weights.npz", ReadOptions.defaults(), "logits.npy"));
  }

  static Conv2FormerConfig config() throws IOException {
    return Conv2FormerConfig.fromFixture(
        new ObjectMapper().readTree(Files.readString(DIR.resolve("config.json"))));
  }

  static HostTensor inputNhwc() throws IOException {
    return Layouts.nchwToNhwc(NpyReader.readArray(DIR.resolve("input.npy")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("files")
  void loadsAndReproducesItsLogits(String file, ReadOptions options, String expected) throws Exception {
    HostTensor x = inputNhwc();
    StateDict sd = Checkpoints.read(DIR.resolve(file), options);
    try (BuiltModel m = BuiltModel.build(file, new Conv2Former(config()), x.shape()[1], x.shape()[2])) {
      LoadReport report = WeightLoader.load(m, sd);
      System.out.println("[checkpoint-formats " + file + "] notes: " + report.notes());
      HostTensor logits = m.run(x, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS);
      HostTensor ref = NpyReader.readArray(DIR.resolve(expected));
      float[] a = logits.toFloatArray();
      float[] r = ref.toFloatArray();
      double maxRef = 0;
      double maxDiff = 0;
      for (int i = 0; i < r.length; i++) {
        maxRef = Math.max(maxRef, Math.abs(r[i]));
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - r[i]));
      }
      double bound = Tolerance.DEFAULT.bound(maxRef);
      System.out.printf("[checkpoint-formats %s] logits vs %s max|Δ| %.3e bound %.3e%n", file, expected,
          maxDiff, bound);
      assertTrue(maxDiff <= bound, file + ": max|Δ| " + maxDiff + " > " + bound);
    }
  }

  @Test
  void wrappedCheckpointSaysWhichEntryItUsed() throws Exception {
    StateDict sd = Checkpoints.read(DIR.resolve("timm_saver_wrapped.pth.tar"));
    assertTrue(sd.notes().stream().anyMatch(n -> n.contains("'state_dict'")), sd.notes().toString());
    assertTrue(sd.notes().stream().anyMatch(n -> n.contains("argparse.Namespace")), sd.notes().toString());
  }

  @Test
  void checkpointOfAnotherVariantListsEveryProblemAndNamesTheVariant() {
    // A conv2former_n state dict (k=7) offered to conv2former_t (k=11, other widths/depths).
    LinkedHashMap<String, HostTensor> n = new LinkedHashMap<>();
    for (ParamSpec s : new Conv2Former(Conv2FormerVariants.N.config()).stateDictSpec()) {
      int size = Math.toIntExact(s.numel());
      n.put(s.key(), s.dtype() == io.tfhybrid.nn.DType.I64
          ? HostTensor.ofLongs(s.torchShape(), new long[size])
          : HostTensor.ofFloats(s.torchShape(), new float[size]));
    }
    StateDict sd = StateDict.of("conv2former_n.pth", n, List.of());
    Conv2Former t = new Conv2Former(Conv2FormerVariants.T.config());
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("conv2former_t_224", t, sd));
      String msg = e.getMessage();
      assertTrue(msg.startsWith("Cannot load checkpoint 'conv2former_n.pth' into Conv2Former 'conv2former_t_224' ("),
          msg);
      assertTrue(msg.contains("size mismatch 'stages.0.0.attn.att.2.weight': expected [72, 1, 11, 11], found [64, 1, 7, 7]"), msg);
      assertTrue(msg.contains("missing 'stages.2.8."), msg);
      assertTrue(msg.contains("Hint: the checkpoint's depthwise kernel is 7x7"), msg);
      assertTrue(msg.contains("Hint: the checkpoint looks like variant 'conv2former_n_224'"), msg);
      assertTrue(e.problems().size() > 100, "every problem is listed: " + e.problems().size());
    }
  }
}
