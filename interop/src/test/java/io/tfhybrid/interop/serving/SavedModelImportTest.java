package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;

/** Import on the real Python-made SavedModels of ../shared/savedmodels, and our round trip. */
class SavedModelImportTest {
  static final Path MODELS = Path.of("src/test/resources/shared/savedmodels");

  @TempDir Path tmp;

  static HostTensor scalar(float v) {
    return HostTensor.ofFloats(new long[] {}, new float[] {v});
  }

  static HostTensor vector(float... v) {
    return HostTensor.ofFloats(new long[] {v.length}, v);
  }

  static float only(HostTensor t) {
    float[] f = t.toFloatArray();
    assertEquals(1, f.length);
    return f[0];
  }

  @Test
  void halfPlusTwoTf2() throws IOException {
    try (SavedModelImport m =
        SavedModelImport.open(MODELS.resolve("saved_model_half_plus_two_tf2_cpu"))) {
      assertEquals("00000123", m.dir().getFileName().toString(), "opens the highest version");
      assertEquals(1, m.metaGraphs().size());
      assertEquals(Set.of("serve"), m.metaGraphs().get(0).tags());
      assertEquals(
          List.of(
              "__saved_model_init_op",
              "classify_x2_to_y3",
              "classify_x_to_y",
              "regress_x2_to_y3",
              "regress_x_to_y",
              "regress_x_to_y2",
              "serving_default"),
          m.metaGraphs().get(0).signatures().stream()
              .map(SavedModelImport.SignatureInfo::key)
              .toList());
      SavedModelImport.SignatureInfo d = m.signature("serving_default");
      assertEquals("tensorflow/serving/predict", d.methodName());
      assertEquals(org.tensorflow.proto.DataType.DT_FLOAT, d.inputs().get("x").dtype());
      assertEquals("(1,)", d.inputs().get("x").shapeString());
      assertEquals(4.0f, only(m.run("serving_default", Map.of("x", vector(4f))).get("y")));
      StateDict v = m.variables();
      assertEquals(List.of("a", "b", "c"), v.keys());
      assertEquals(0.5f, only(v.get("a")));
      assertEquals(2f, only(v.get("b")));
      assertEquals(3f, only(v.get("c")));
      assertTrue(v.notes().get(0).contains("/.ATTRIBUTES/VARIABLE_VALUE"), v.notes().toString());
      assertEquals(List.of(Path.of("assets/foo.txt")), m.assets());
    }
  }

  @Test
  void halfPlusTwoTf1Builder() throws IOException {
    try (SavedModelImport m =
        SavedModelImport.open(MODELS.resolve("saved_model_half_plus_two_cpu/00000123"))) {
      assertEquals("tensorflow/serving/regress", m.signature("regress_x_to_y").methodName());
      assertEquals("tensorflow/serving/classify", m.signature("classify_x_to_y").methodName());
      HostTensor y =
          m.run(
                  "serving_default",
                  Map.of("x", HostTensor.ofFloats(new long[] {3, 1}, new float[] {0, 1, 10})))
              .get("y");
      assertArrayEquals(new long[] {3, 1}, y.shape());
      assertArrayEquals(new float[] {2f, 2.5f, 7f}, y.toFloatArray());
      // The Example signatures take serialized tf.Example protos.
      byte[] example =
          Example.newBuilder()
              .setFeatures(
                  Features.newBuilder()
                      .putFeature(
                          "x",
                          Feature.newBuilder()
                              .setFloatList(FloatList.newBuilder().addValue(6f))
                              .build()))
              .build()
              .toByteArray();
      try (var in = Tensors.strings(List.of(example))) {
        assertEquals(5f, only(m.runTensors("regress_x_to_y", Map.of("inputs", in)).get("outputs")));
      }
      assertEquals(List.of("a", "a2", "b", "c", "c2"), m.variables().keys());
      assertEquals(0.5f, only(m.variables().get("a")));
    }
  }

  @Test
  void runsASignatureOnNpyFiles() throws IOException {
    Path x = tmp.resolve("x.npy");
    io.tfhybrid.interop.checkpoint.NpyReader.write(
        x, HostTensor.ofFloats(new long[] {2, 1}, new float[] {4, -2}));
    try (SavedModelImport m =
        SavedModelImport.open(MODELS.resolve("saved_model_half_plus_two_cpu/00000123"))) {
      Map<String, HostTensor> y = m.runNpy("serving_default", Map.of("x", x), tmp.resolve("out"));
      assertArrayEquals(new float[] {4f, 1f}, y.get("y").toFloatArray());
      assertArrayEquals(
          new float[] {4f, 1f},
          io.tfhybrid.interop.checkpoint.NpyReader.readArray(tmp.resolve("out/y.npy"))
              .toFloatArray());
    }
  }

  @Test
  void statefulCounter() throws IOException {
    try (SavedModelImport m =
        SavedModelImport.open(MODELS.resolve("saved_model_counter/00000123"))) {
      assertEquals(0f, only(m.run("get_counter", Map.of()).get("output")));
      assertEquals(1f, only(m.run("incr_counter", Map.of()).get("output")));
      assertEquals(4f, only(m.run("incr_counter_by", Map.of("delta", scalar(3f))).get("output")));
      assertEquals(4f, only(m.run("get_counter", Map.of()).get("output")));
      assertEquals(0f, only(m.run("reset_counter", Map.of()).get("output")));
      assertEquals(List.of("counter"), m.variables().keys());
    }
  }

  @Test
  void tfJavaMultiSignature() throws IOException {
    try (SavedModelImport m = SavedModelImport.open(MODELS.resolve("tf_java_multi_signature"))) {
      assertEquals(6f, only(m.run("add", Map.of("a", scalar(3), "b", scalar(3))).get("output_0")));
      assertEquals(2f, only(m.run("get_variable", Map.of("dummy", scalar(0))).get("output_0")));
      assertArrayEquals(
          new long[] {},
          m.run("get_const_scalar", Map.of("input", scalar(0))).get("output_0").shape());
      assertArrayEquals(
          new float[3],
          m.run("get_const_vector", Map.of("input", scalar(0))).get("output_0").toFloatArray());
      HostTensor matrix = m.run("get_const_matrix", Map.of("input", scalar(0))).get("output_0");
      assertArrayEquals(new long[] {2, 3}, matrix.shape());
      assertEquals(List.of("variable"), m.variables().keys());
      assertEquals(2f, only(m.variables().get("variable")));
    }
  }

  @Test
  void showListsLikeSavedModelCli() throws IOException {
    try (SavedModelImport m =
        SavedModelImport.open(MODELS.resolve("saved_model_half_plus_two_cpu/00000123"))) {
      String s = m.show();
      assertTrue(
          s.contains(
              """
              signature_def['serving_default']:
                The given SavedModel SignatureDef contains the following input(s):
                  inputs['x'] tensor_info:
                      dtype: DT_FLOAT
                      shape: (-1, 1)
                      name: x:0
                The given SavedModel SignatureDef contains the following output(s):
                  outputs['y'] tensor_info:
                      dtype: DT_FLOAT
                      shape: (-1, 1)
                      name: y:0
                Method name is: tensorflow/serving/predict
              """),
          s);
      assertTrue(
          s.startsWith(
              "\nMetaGraphDef with tag-set: 'serve' contains the following" + " SignatureDefs:\n"),
          s);
    }
  }

  @Test
  void roundTripExportImportLoadGivesIdenticalOutputs() throws IOException {
    StateDict original = TinyModels.randomStateDict(23);
    HostTensor x = TinyModels.normalized(TinyModels.pixels(2, 9), TinyModels.RESIZE_ONLY);
    Map<String, HostTensor> before;
    Path version;
    try (BuiltModel m = TinyModels.loaded(original)) {
      before = m.run(x, List.of("logits", "features"));
      version =
          SavedModelExport.builder()
              .model(m)
              .preprocessing(TinyModels.RESIZE_ONLY)
              .modelDir(tmp.resolve("rt"))
              .build()
              .export()
              .versionDir();
    }
    StateDict imported;
    try (SavedModelImport imp = SavedModelImport.open(version)) {
      imported = imp.stateDict();
    }
    assertEquals(original.keys(), imported.keys());
    for (String k : original.keys()) {
      assertTrue(original.get(k).contentEquals(imported.get(k)), k);
    }
    try (BuiltModel fresh = TinyModels.loaded(imported)) {
      Map<String, HostTensor> after = fresh.run(x, List.of("logits", "features"));
      assertArrayEquals(before.get("logits").toFloatArray(), after.get("logits").toFloatArray());
      assertArrayEquals(
          before.get("features").toFloatArray(), after.get("features").toFloatArray());
    }
  }

  @Test
  void aDirectoryWithoutSavedModelIsRejectedWithWhatItHolds() throws IOException {
    Files.writeString(tmp.resolve("notes.txt"), "hello");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SavedModelImport.open(tmp));
    assertEquals(
        "'"
            + tmp
            + "' is not a SavedModel: expected saved_model.pb in it (or numbered"
            + " version directories holding one), found [notes.txt]",
        e.getMessage());
  }

  @Test
  void runNamesMissingAndUnknownInputs() throws IOException {
    try (SavedModelImport m = SavedModelImport.open(MODELS.resolve("tf_java_multi_signature"))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> m.run("add", Map.of("a", scalar(1), "c", scalar(2))));
      assertEquals(
          "signature 'add' takes inputs [a, b]; found [a, c], missing [b], unknown [c]",
          e.getMessage().replace("[c, a]", "[a, c]"));
      IllegalArgumentException s =
          assertThrows(IllegalArgumentException.class, () -> m.signature("nope"));
      assertTrue(s.getMessage().startsWith("SavedModel '"), s.getMessage());
      assertTrue(
          s.getMessage()
              .endsWith(
                  "has no signature 'nope'; expected one of [__saved_model_init_op, add,"
                      + " get_const_matrix, get_const_scalar, get_const_vector, get_variable]"),
          s.getMessage());
    }
  }
}
