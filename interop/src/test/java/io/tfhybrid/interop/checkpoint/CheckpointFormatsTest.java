package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every file of {@code shared/checkpoint-formats} (the weights of the golden case
 * conv2former/b2_k7_min32x31 in many file shapes) loads, and the files agree with each other and
 * with the case's {@code config.json}. To keep interop free of a dependency on golden-tests, the
 * comparison is among these files only.
 */
class CheckpointFormatsTest {
  private static final List<String> FP32_FILES =
      List.of(
          "legacy_format.pth",
          "timm_saver_wrapped.pth.tar",
          "module_prefix_in_model_key.pth",
          "weights.npz");

  private static Path file(String name) {
    return TestFiles.shared("checkpoint-formats/" + name);
  }

  /** Key → torch shape, in order, from config.json's "state_dict" listing. */
  private static LinkedHashMap<String, long[]> expectedShapes() throws IOException {
    JsonNode sd = new ObjectMapper().readTree(file("config.json").toFile()).get("state_dict");
    LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = sd.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      long[] shape = new long[e.getValue().size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = e.getValue().get(i).asLong();
      }
      out.put(e.getKey(), shape);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "legacy_format.pth", "timm_saver_wrapped.pth.tar", "module_prefix_in_model_key.pth",
            "weights.npz",
        "weights_fp16.pth", "weights_fp16.safetensors", "weights_bf16.pth",
            "weights_bf16.safetensors"
      })
  void loadsWithTheKeysAndShapesOfConfigJson(String name) throws IOException {
    StateDict sd = Checkpoints.read(file(name));
    LinkedHashMap<String, long[]> expected = expectedShapes();
    assertEquals(name, sd.source());
    assertEquals(expected.size(), sd.size(), name);
    if (!name.endsWith(".safetensors")) {
      // safetensors headers are sorted by name; every other format keeps the state_dict order.
      assertEquals(new ArrayList<>(expected.keySet()), sd.keys(), name + " key order");
    }
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      assertArrayEquals(
          e.getValue(), sd.get(e.getKey()).shape(), name + " shape of '" + e.getKey() + "'");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"input.npy", "logits.npy", "logits_fp16.npy", "logits_bf16.npy"})
  void arraysLoad(String name) throws IOException {
    StateDict sd = Checkpoints.read(file(name));
    String stem = name.substring(0, name.length() - 4);
    assertEquals(List.of(stem), sd.keys());
    assertEquals(DType.F32, sd.get(stem).dtype());
    assertArrayEquals(sd.get(stem).toFloatArray(), NpyReader.readArray(file(name)).toFloatArray());
  }

  @Test
  void fp32VariantsAreIdentical() throws IOException {
    // All four give the same keys, dtypes, shapes and bytes. The .npz stores num_batches_tracked
    // as int64 ('<i8') just like torch does, so nothing needs to be excluded from the comparison.
    StateDict reference = Checkpoints.read(file("legacy_format.pth"));
    for (HostTensor t : reference.asMap().values()) {
      assertTrue(t.dtype() == DType.F32 || t.dtype() == DType.I64, t.toString());
    }
    for (String other : FP32_FILES) {
      assertSameTensors(reference, Checkpoints.read(file(other)));
    }
  }

  @Test
  void fp16PthEqualsFp16Safetensors() throws IOException {
    StateDict pth = Checkpoints.read(file("weights_fp16.pth"));
    assertSameTensors(pth, Checkpoints.read(file("weights_fp16.safetensors")));
    assertEquals(DType.F16, pth.get("downsample_layers.0.0.weight").dtype());
    assertEquals(DType.I64, pth.get("downsample_layers.0.2.num_batches_tracked").dtype());
    assertNarrowedFrom(Checkpoints.read(file("legacy_format.pth")), pth, 0x1p-11);
  }

  @Test
  void bf16PthEqualsBf16Safetensors() throws IOException {
    StateDict pth = Checkpoints.read(file("weights_bf16.pth"));
    assertSameTensors(pth, Checkpoints.read(file("weights_bf16.safetensors")));
    assertEquals(DType.BF16, pth.get("downsample_layers.0.0.weight").dtype());
    assertNarrowedFrom(Checkpoints.read(file("legacy_format.pth")), pth, 0x1p-8);
  }

  @Test
  void timmWrapperUsesStateDictAndNotesThePlaceholders() throws IOException {
    StateDict sd = Checkpoints.read(file("timm_saver_wrapped.pth.tar"));
    String notes = String.join("\n", sd.notes());
    assertTrue(
        notes.contains(
            "used 'state_dict' of a wrapper dict with keys [epoch, arch, state_dict,"
                + " state_dict_ema, optimizer, args, metric, version]"),
        notes);
    assertTrue(notes.contains("'argparse.Namespace' (at byte "), notes);
    assertTrue(notes.contains("inert placeholders, never imported or called"), notes);
    for (String g :
        List.of("'numpy.core.multiarray.scalar'", "'numpy.dtype'", "'_codecs.encode'")) {
      assertTrue(notes.contains(g), g + " missing from notes:\n" + notes);
    }
    assertTrue(notes.contains("EMA weights under 'state_dict_ema'"), notes);
  }

  @Test
  void timmWrapperWithEmaReadsStateDictEma() throws IOException {
    // This file's EMA weights equal its regular weights byte for byte, so the notes show which
    // entry was read; PthReaderTest.emaWeightsAreChosenByOption checks values that differ.
    StateDict ema =
        Checkpoints.read(file("timm_saver_wrapped.pth.tar"), ReadOptions.defaults().withEma());
    String notes = String.join("\n", ema.notes());
    assertTrue(notes.contains("used 'state_dict_ema' (EMA weights, as asked)"), notes);
    assertFalse(notes.contains("used 'state_dict' "), notes);
    assertEquals(expectedShapes().keySet(), ema.asMap().keySet());

    StateDict explicit =
        Checkpoints.read(
            file("timm_saver_wrapped.pth.tar"),
            ReadOptions.defaults().withStateKey("state_dict_ema"));
    assertSameTensors(ema, explicit);
    assertTrue(String.join("\n", explicit.notes()).contains("used 'state_dict_ema' (as asked)"));
  }

  @Test
  void stateKeyNamingANonStateDictIsAnError() {
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class,
            () ->
                Checkpoints.read(
                    file("timm_saver_wrapped.pth.tar"),
                    ReadOptions.defaults().withStateKey("args")));
    assertEquals(
        "Cannot read checkpoint 'timm_saver_wrapped.pth.tar': 'args' (asked for with --state-key)"
            + " is not a state dict: holds an object of 'argparse.Namespace', not a dict of"
            + " tensors",
        e.getMessage());
    CheckpointFormatException missing =
        assertThrows(
            CheckpointFormatException.class,
            () ->
                Checkpoints.read(
                    file("timm_saver_wrapped.pth.tar"),
                    ReadOptions.defaults().withStateKey("weights")));
    assertEquals(
        "Cannot read checkpoint 'timm_saver_wrapped.pth.tar': no key 'weights' (asked for with"
            + " --state-key) in the top-level dict; its keys are [epoch, arch, state_dict,"
            + " state_dict_ema, optimizer, args, metric, version]",
        missing.getMessage());
  }

  @Test
  void emaOnAPlainStateDictIsAnError() {
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class,
            () ->
                Checkpoints.read(
                    file("module_prefix_in_model_key.pth"), ReadOptions.defaults().withEma()));
    assertTrue(
        e.getMessage()
            .contains(
                "asked for EMA weights, but the top-level dict has none of ['state_dict_ema',"
                    + " 'model_ema']; its keys are [model, epoch]"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("these keys hold dicts of tensors: ['model']"), e.getMessage());
  }

  @Test
  void modulePrefixIsStrippedOnlyWhenAsked() throws IOException {
    StateDict stripped = Checkpoints.read(file("module_prefix_in_model_key.pth"));
    assertTrue(
        String.join("\n", stripped.notes())
            .contains("used 'model' of a wrapper dict with keys [model, epoch]"));
    assertTrue(
        String.join("\n", stripped.notes())
            .contains("stripped the prefix 'module.' from all 111 keys"));
    StateDict kept =
        Checkpoints.read(
            file("module_prefix_in_model_key.pth"),
            ReadOptions.defaults().withStripModulePrefix(false));
    assertTrue(kept.keys().stream().allMatch(k -> k.startsWith("module.")));
    assertSameTensors(stripped, kept.withPrefixStripped("module."));
  }

  @Test
  void flatFormatsRejectWrapperOptions() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Checkpoints.read(
                    file("weights_fp16.safetensors"),
                    ReadOptions.defaults().withStateKey("model")));
    assertEquals(
        "'weights_fp16.safetensors' is a safetensors file, which holds one flat set of tensors; the"
            + " state key 'model' (--state-key) applies only to pickled PyTorch checkpoints",
        e.getMessage());
  }

  @Test
  void detectsFormatsFromBytesNotNames() throws IOException {
    assertEquals(Checkpoints.Format.PYTORCH_LEGACY, Checkpoints.detect(file("legacy_format.pth")));
    assertEquals(
        Checkpoints.Format.PYTORCH_ZIP, Checkpoints.detect(file("timm_saver_wrapped.pth.tar")));
    assertEquals(Checkpoints.Format.NPZ, Checkpoints.detect(file("weights.npz")));
    assertEquals(
        Checkpoints.Format.SAFETENSORS, Checkpoints.detect(file("weights_bf16.safetensors")));
    assertEquals(Checkpoints.Format.NPY, Checkpoints.detect(file("input.npy")));
  }

  /** Same key set; each tensor has the same dtype, shape and bytes (order may differ). */
  static void assertSameTensors(StateDict expected, StateDict actual) {
    assertEquals(
        expected.asMap().keySet(),
        actual.asMap().keySet(),
        actual.source() + " vs " + expected.source());
    for (String k : expected.keys()) {
      HostTensor a = expected.get(k);
      HostTensor b = actual.get(k);
      assertTrue(
          a.contentEquals(b),
          "'"
              + k
              + "' differs: "
              + expected.source()
              + " has "
              + a
              + ", "
              + actual.source()
              + " has "
              + b);
    }
  }

  /**
   * Every float tensor of {@code narrow} is {@code wide} rounded (relative error ≤ {@code eps}).
   */
  private static void assertNarrowedFrom(StateDict wide, StateDict narrow, double eps) {
    for (String k : wide.keys()) {
      HostTensor w = wide.get(k);
      HostTensor n = narrow.get(k);
      if (!w.dtype().isFloating()) {
        assertArrayEquals(w.toLongArray(), n.toLongArray(), k);
        continue;
      }
      float[] a = w.toFloatArray();
      float[] b = n.toFloatArray();
      for (int i = 0; i < a.length; i++) {
        double tol = Math.abs(a[i]) * eps + 0x1p-24;
        assertTrue(Math.abs(a[i] - b[i]) <= tol, "'" + k + "'[" + i + "]: " + a[i] + " vs " + b[i]);
      }
    }
  }
}
