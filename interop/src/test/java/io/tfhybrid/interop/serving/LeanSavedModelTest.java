package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * The exported {@code saved_model.pb} is lean and loads in older TF Serving releases: only the
 * signatures' and the saver's nodes, no attribute at its op's registered default, the metadata TF's
 * exporter fills. Parsed from the file, checked with this test's own graph walk.
 */
class LeanSavedModelTest {
  @TempDir static Path tmp;

  static BuiltModel model;
  static SavedModel saved;
  static GraphDef inMemory;

  @BeforeAll
  static void export() throws IOException {
    StateDict weights = TinyModels.randomStateDict(5);
    model = TinyModels.loaded(weights);
    SavedModelExport.Result r = TinyModels.exporter(model, tmp.resolve("m")).build().export();
    saved = SavedModel.parseFrom(Files.readAllBytes(r.versionDir().resolve("saved_model.pb")));
    inMemory = model.graph().toGraphDef();
    System.out.printf(
        "tiny Conv2Former: %d nodes in the exporting session's graph, %d in saved_model.pb%n",
        inMemory.getNodeCount(), saved.getMetaGraphs(0).getGraphDef().getNodeCount());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void holdsOnlyTheSignaturesAndTheSaversTransitiveClosure() {
    MetaGraphDef mg = saved.getMetaGraphs(0);
    List<String> roots = new ArrayList<>();
    for (SignatureDef s : mg.getSignatureDefMap().values()) {
      s.getInputsMap().values().stream().map(TensorInfo::getName).forEach(roots::add);
      s.getOutputsMap().values().stream().map(TensorInfo::getName).forEach(roots::add);
    }
    SaverDef sv = mg.getSaverDef();
    roots.addAll(
        List.of(sv.getFilenameTensorName(), sv.getSaveTensorName(), sv.getRestoreOpName()));
    assertEquals(0, mg.getCollectionDefCount(), "no collections to keep alive");

    GraphDef g = mg.getGraphDef();
    Map<String, NodeDef> byName = new HashMap<>();
    g.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> reached = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    roots.forEach(t -> todo.add(t.replaceFirst("^\\^", "").replaceFirst(":\\d+$", "")));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef n = byName.get(name);
      assertTrue(n != null, "'" + name + "' is named by a signature, the saver or an input");
      if (reached.add(name)) {
        n.getInputList().forEach(i -> todo.add(i.replaceFirst("^\\^", "").replaceFirst(":\\d+$", "")));
      }
    }
    List<String> dead =
        g.getNodeList().stream().map(NodeDef::getName).filter(n -> !reached.contains(n)).toList();
    assertEquals(List.of(), dead, "nodes no signature and no saver op reaches");
    assertEquals(g.getNodeCount(), byName.size(), "node names are unique");
    // What was pruned: the loader's placeholders + assigns and the in-process root emission.
    assertTrue(inMemory.getNodeList().stream().anyMatch(n -> n.getName().startsWith("load/")));
    assertFalse(g.getNodeList().stream().anyMatch(n -> n.getName().startsWith("load/")));
    assertTrue(g.getNodeCount() < inMemory.getNodeCount());
    // Every variable is still saved and restored.
    long variables = g.getNodeList().stream().filter(n -> n.getOp().startsWith("Variable")).count();
    assertEquals(model.root().variableSpec().size(), variables);
  }

  @Test
  void theForwardPassIsEmittedOnceForBothInputPaths() {
    MetaGraphDef mg = saved.getMetaGraphs(0);
    SignatureDef d = mg.getSignatureDefOrThrow("serving_default");
    SignatureDef b = mg.getSignatureDefOrThrow("serving_bytes");
    assertEquals(d.getOutputsMap(), b.getOutputsMap(), "serving_bytes feeds the same body");
    // Loaded and exported, never run in process: the session's graph holds one emission, the
    // serving one (BuiltModel emits its own forward pass on first use only).
    long convsSaved = count(mg.getGraphDef(), "Conv2D");
    assertTrue(convsSaved > 0);
    assertEquals(convsSaved, count(inMemory, "Conv2D"));
    assertEquals(
        "PlaceholderWithDefault",
        mg.getGraphDef().getNodeList().stream()
            .filter(n -> n.getName().equals("images"))
            .findFirst()
            .orElseThrow()
            .getOp());
  }

  @Test
  void aModelRunInProcessHasItsOwnEmissionThatNoExportCarries() throws IOException {
    try (BuiltModel m = TinyModels.loaded(TinyModels.randomStateDict(6))) {
      assertEquals(0, count(m.graph().toGraphDef(), "Conv2D"), "nothing emitted before a run");
      m.run(TinyModels.normalized(TinyModels.pixels(1, 3), TinyModels.RESIZE_ONLY),
          List.of(BuiltModel.LOGITS));
      long inProcess = count(m.graph().toGraphDef(), "Conv2D");
      SavedModelExport.Result r = TinyModels.exporter(m, tmp.resolve("ran")).build().export();
      GraphDef file = SavedModel.parseFrom(
          Files.readAllBytes(r.versionDir().resolve("saved_model.pb"))).getMetaGraphs(0)
          .getGraphDef();
      assertEquals(inProcess, count(file, "Conv2D"));
      assertEquals(2 * inProcess, count(m.graph().toGraphDef(), "Conv2D"));
    }
  }

  private static long count(GraphDef g, String op) {
    return g.getNodeList().stream().filter(n -> n.getOp().equals(op)).count();
  }

  @Test
  void noAttributeEqualsItsOpsRegisteredDefault() {
    Map<String, OpDef> ops = new HashMap<>();
    TensorFlow.registeredOpList().getOpList().forEach(op -> ops.put(op.getName(), op));
    List<String> found = new ArrayList<>();
    int checked = 0;
    for (NodeDef n : saved.getMetaGraphs(0).getGraphDef().getNodeList()) {
      OpDef op = ops.get(n.getOp());
      assertTrue(op != null, n.getOp() + " is a registered op");
      for (OpDef.AttrDef a : op.getAttrList()) {
        AttrValue v = n.getAttrMap().get(a.getName());
        if (a.hasDefaultValue() && v != null) {
          checked++;
          if (v.equals(a.getDefaultValue())) {
            found.add(n.getName() + " (" + n.getOp() + ")." + a.getName());
          }
        }
      }
    }
    assertEquals(List.of(), found);
    assertTrue(checked > 0, "non-default attributes stay (e.g. DecodeJpeg.dct_method)");
    // The attributes the issue names, added by TF releases newer than older TF Serving's.
    int matMulsBefore = 0;
    for (NodeDef n : inMemory.getNodeList()) {
      if (n.getOp().equals("MatMul") && n.getAttrMap().containsKey("grad_a")) {
        matMulsBefore++;
      }
    }
    assertTrue(matMulsBefore > 0, "the in-memory graph carries MatMul.grad_a");
    assertTrue(
        saved.getMetaGraphs(0).getGraphDef().getNodeList().stream()
            .filter(n -> n.getOp().equals("MatMul"))
            .noneMatch(n -> n.getAttrMap().containsKey("grad_a")));
    assertTrue(saved.getMetaGraphs(0).getMetaInfoDef().getStrippedDefaultAttrs());
  }

  @Test
  void metadataIsFilledAsTfsExporterFillsIt() {
    assertEquals(1, saved.getSavedModelSchemaVersion());
    MetaGraphDef.MetaInfoDef info = saved.getMetaGraphs(0).getMetaInfoDef();
    assertEquals(TensorFlow.version(), info.getTensorflowVersion());
    assertTrue(info.getTensorflowVersion().matches("\\d+\\.\\d+\\.\\d+.*"), info.toString());
    assertEquals("v" + TensorFlow.version(), info.getTensorflowGitVersion());
    assertEquals(List.of("serve"), info.getTagsList());
    SaverDef sv = saved.getMetaGraphs(0).getSaverDef();
    assertEquals(SaverDef.CheckpointFormatVersion.V2, sv.getVersion());
    Set<String> saverOps = new HashSet<>();
    saved.getMetaGraphs(0).getGraphDef().getNodeList().stream()
        .filter(n -> n.getName().startsWith("save/"))
        .forEach(n -> saverOps.add(n.getOp()));
    assertTrue(saverOps.containsAll(Set.of("SaveV2", "RestoreV2")), saverOps.toString());
  }

  @Test
  void theLeanExportReloadsAndComputesWhatTheSessionComputes() throws IOException {
    HostTensor pixels = TinyModels.pixels(2, 9);
    Map<String, HostTensor> expected =
        model.run(TinyModels.normalized(pixels, TinyModels.RESIZE_ONLY), List.of("logits"));
    try (SavedModelImport imp = SavedModelImport.open(tmp.resolve("m/1"))) {
      HostTensor found = imp.run("serving_default", Map.of("images", pixels)).get("logits");
      SavedModelExportTest.assertClose(expected.get("logits"), found, 1e-5);
    }
  }
}
