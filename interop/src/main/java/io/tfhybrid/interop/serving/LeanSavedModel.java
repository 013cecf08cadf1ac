package io.tfhybrid.interop.serving;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Rewrites the {@code saved_model.pb} that TF Java's exporter writes so that it holds what TF's own
 * exporter (Python {@code builder.add_meta_graph_and_variables(..., strip_default_attrs=True)})
 * would write for the same signatures:
 *
 * <ul>
 *   <li><b>Only the nodes the signatures and the saver need</b>: the transitive closure (data and
 *       control inputs) of every signature input and output, the saver's filename, save and restore
 *       tensors, and any collection's nodes. The model's graph in the exporting session keeps the
 *       root emission of the forward pass and the weight loader's {@code load/} placeholders and
 *       assigns (both used in process); no signature reads them, so the file does not carry them.
 *   <li><b>No attribute at its op's registered default</b> ({@link TensorFlow#registeredOpList()},
 *       compared as TF's {@code StripDefaultAttributes} does, by value), and {@code
 *       meta_info_def.stripped_default_attrs} set, so that a graph built by TF 2.18 loads in an
 *       older TF Serving that knows the ops but not the attributes added to them since (e.g. {@code
 *       MatMul.grad_a}); every loader puts the defaults back.
 *   <li><b>The metadata TF's exporter fills</b>: {@code saved_model_schema_version} 1, {@code
 *       meta_info_def.tensorflow_version} ({@link TensorFlow#version()}), {@code
 *       tensorflow_git_version} (the release tag {@code v<version>}: the C API exposes no git
 *       describe string) and {@code saver_def.version} V2 (the saver writes {@code SaveV2} /
 *       {@code RestoreV2} files).
 * </ul>
 */
final class LeanSavedModel {
  private LeanSavedModel() {}

  /** The op registry of the TF runtime we link, by op name; loaded once. */
  private static volatile Map<String, OpDef> registry;

  /** Rewrites {@code saved_model.pb} in place (it is small: the weights are in variables/). */
  static void rewrite(Path savedModelPb) throws IOException {
    SavedModel lean = lean(SavedModel.parseFrom(Files.readAllBytes(savedModelPb)));
    try (OutputStream out =
        Files.newOutputStream(
            savedModelPb, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      lean.writeTo(out);
    }
  }

  /** The lean form of {@code in}: every MetaGraphDef pruned, stripped and stamped. */
  static SavedModel lean(SavedModel in) {
    SavedModel.Builder b = in.toBuilder().setSavedModelSchemaVersion(1);
    for (int i = 0; i < b.getMetaGraphsCount(); i++) {
      b.setMetaGraphs(i, lean(b.getMetaGraphs(i)));
    }
    return b.build();
  }

  private static MetaGraphDef lean(MetaGraphDef mg) {
    Map<String, OpDef> ops = registry();
    GraphDef g = mg.getGraphDef();
    Set<String> keep = closure(g, roots(mg));
    GraphDef.Builder lean = g.toBuilder().clearNode();
    for (NodeDef n : g.getNodeList()) {
      if (keep.contains(n.getName())) {
        lean.addNode(stripDefaults(n, ops));
      }
    }
    if (g.hasLibrary()) {
      FunctionDefLibrary.Builder lib = g.getLibrary().toBuilder().clearFunction();
      for (FunctionDef f : g.getLibrary().getFunctionList()) {
        FunctionDef.Builder fb = f.toBuilder().clearNodeDef();
        f.getNodeDefList().forEach(n -> fb.addNodeDef(stripDefaults(n, ops)));
        lib.addFunction(fb);
      }
      lean.setLibrary(lib);
    }
    MetaGraphDef.Builder m = mg.toBuilder().setGraphDef(lean);
    m.getMetaInfoDefBuilder()
        .setTensorflowVersion(TensorFlow.version())
        .setTensorflowGitVersion("v" + TensorFlow.version())
        .setStrippedDefaultAttrs(true);
    if (mg.hasSaverDef()) {
      m.getSaverDefBuilder().setVersion(SaverDef.CheckpointFormatVersion.V2);
    }
    return m.build();
  }

  /**
   * The node names every signature, the saver and the collections name: what a loader feeds,
   * fetches or runs.
   */
  static Set<String> roots(MetaGraphDef mg) {
    Set<String> roots = new HashSet<>();
    for (SignatureDef s : mg.getSignatureDefMap().values()) {
      for (TensorInfo t : s.getInputsMap().values()) {
        roots.add(nodeName(t.getName()));
      }
      for (TensorInfo t : s.getOutputsMap().values()) {
        roots.add(nodeName(t.getName()));
      }
    }
    if (mg.hasSaverDef()) {
      SaverDef s = mg.getSaverDef();
      roots.add(nodeName(s.getFilenameTensorName()));
      roots.add(nodeName(s.getSaveTensorName()));
      roots.add(nodeName(s.getRestoreOpName()));
    }
    for (CollectionDef c : mg.getCollectionDefMap().values()) {
      c.getNodeList().getValueList().forEach(v -> roots.add(nodeName(v)));
    }
    roots.remove("");
    return roots;
  }

  /** {@code roots} and every node they reach through data or control inputs. */
  static Set<String> closure(GraphDef g, Set<String> roots) {
    Map<String, NodeDef> byName = new HashMap<>();
    g.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef n = byName.get(name);
      if (n == null || !seen.add(name)) {
        continue;
      }
      for (String input : n.getInputList()) {
        todo.push(nodeName(input));
      }
    }
    return seen;
  }

  /** {@code ^name}, {@code name:1} → {@code name}. */
  static String nodeName(String tensorOrControl) {
    String s = tensorOrControl.startsWith("^") ? tensorOrControl.substring(1) : tensorOrControl;
    int colon = s.lastIndexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  /** {@code n} without the attributes whose value is its op's registered default. */
  static NodeDef stripDefaults(NodeDef n, Map<String, OpDef> ops) {
    List<String> drop = defaultAttrs(n, ops);
    if (drop.isEmpty()) {
      return n;
    }
    NodeDef.Builder b = n.toBuilder();
    drop.forEach(b::removeAttr);
    return b.build();
  }

  /** The attributes of {@code n} that equal its op's registered default value. */
  static List<String> defaultAttrs(NodeDef n, Map<String, OpDef> ops) {
    List<String> found = new ArrayList<>();
    OpDef op = ops.get(n.getOp());
    if (op == null) {
      return found;
    }
    for (OpDef.AttrDef a : op.getAttrList()) {
      AttrValue value = n.getAttrMap().get(a.getName());
      if (a.hasDefaultValue() && value != null && value.equals(a.getDefaultValue())) {
        found.add(a.getName());
      }
    }
    return found;
  }

  /** Every op the linked TF runtime registers, by name. */
  static Map<String, OpDef> registry() {
    Map<String, OpDef> r = registry;
    if (r == null) {
      Map<String, OpDef> m = new HashMap<>();
      TensorFlow.registeredOpList().getOpList().forEach(op -> m.put(op.getName(), op));
      registry = r = Map.copyOf(m);
    }
    return r;
  }
}
