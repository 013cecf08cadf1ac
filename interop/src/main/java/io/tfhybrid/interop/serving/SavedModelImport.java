package io.tfhybrid.interop.serving;

import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.serving.proto.PredictRequest;
import io.tfhybrid.interop.serving.proto.PredictionLog;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Opens any SavedModel, ours or one written by Python ({@code tf.saved_model.save} or the TF1
 * {@code SavedModelBuilder}): lists its tag sets and signatures like {@code saved_model_cli show
 * --all}, runs a signature, reads every variable into a {@link StateDict} straight from the
 * checkpoint files, and replays the TF Serving warmup requests.
 *
 * <p>The graph and session are only loaded (with the C++ loader TF Serving uses) when a signature
 * is run; listing and reading variables need no session.
 */
public final class SavedModelImport implements AutoCloseable {
  /** The suffix TF2 object-based checkpoints put after a variable's object path. */
  static final String TF2_VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE";

  private final Path dir;
  private final SavedModel savedModel;
  private final String note;
  private SavedModelBundle bundle;
  private Set<String> bundleTags;

  /**
   * A tensor of a signature: graph tensor name, dtype and shape (null when the rank is unknown).
   */
  public record TensorInfo(String name, DataType dtype, long[] shape) {
    /** {@code (-1, 224, 224, 3)}, or {@code unknown_rank}, as saved_model_cli prints shapes. */
    public String shapeString() {
      if (shape == null) {
        return "unknown_rank";
      }
      StringBuilder sb = new StringBuilder("(");
      for (int i = 0; i < shape.length; i++) {
        sb.append(i > 0 ? ", " : "").append(shape[i]);
      }
      return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }
  }

  /** One SignatureDef. */
  public record SignatureInfo(
      String key,
      String methodName,
      Map<String, TensorInfo> inputs,
      Map<String, TensorInfo> outputs) {}

  /** One MetaGraphDef: its tags and signatures. */
  public record MetaGraphInfo(Set<String> tags, List<SignatureInfo> signatures) {}

  private SavedModelImport(Path dir, SavedModel savedModel, String note) {
    this.dir = dir;
    this.savedModel = savedModel;
    this.note = note;
  }

  /**
   * Opens the SavedModel in {@code dir}. A model directory with numbered versions (TF Serving's
   * {@code <base>/<name>}) opens its highest version, as TF Serving would serve it.
   */
  public static SavedModelImport open(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "no such SavedModel directory");
    }
    String note = "";
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      Optional<Path> v = SavedModelExport.highestVersion(dir);
      if (v.isPresent() && Files.isRegularFile(v.get().resolve("saved_model.pb"))) {
        note = "opened version " + v.get().getFileName() + ", the highest in '" + dir + "'";
        dir = v.get();
        pb = dir.resolve("saved_model.pb");
      } else if (Files.isRegularFile(dir.resolve("saved_model.pbtxt"))) {
        throw new IllegalArgumentException(
            "'"
                + dir
                + "' holds saved_model.pbtxt (text format);"
                + " expected the binary saved_model.pb that TF Serving and TF Java load");
      } else {
        throw new IllegalArgumentException(
            "'"
                + dir
                + "' is not a SavedModel: expected"
                + " saved_model.pb in it (or numbered version directories holding one), found "
                + listing(dir));
      }
    }
    try (InputStream in = Files.newInputStream(pb)) {
      return new SavedModelImport(dir, SavedModel.parseFrom(in), note);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(
          "'" + pb + "' is not a SavedModel protocol buffer: " + e.getMessage(), e);
    }
  }

  private static String listing(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        s.forEach(p -> names.add(p.getFileName() + (Files.isDirectory(p) ? "/" : "")));
      }
    }
    return names.isEmpty() ? "nothing" : names.stream().sorted().limit(10).toList().toString();
  }

  /** The version directory that was opened. */
  public Path dir() {
    return dir;
  }

  /** What {@link #open} decided (which version it opened), or "". */
  public String note() {
    return note;
  }

  /** Every MetaGraphDef's tags and signatures, signatures sorted by key. */
  public List<MetaGraphInfo> metaGraphs() {
    List<MetaGraphInfo> out = new ArrayList<>();
    for (MetaGraphDef mg : savedModel.getMetaGraphsList()) {
      List<SignatureInfo> sigs = new ArrayList<>();
      mg.getSignatureDefMap().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> sigs.add(signature(e.getKey(), e.getValue())));
      out.add(new MetaGraphInfo(new LinkedHashSet<>(mg.getMetaInfoDef().getTagsList()), sigs));
    }
    return out;
  }

  /** A signature by key, searched in every MetaGraphDef. */
  public SignatureInfo signature(String key) {
    for (MetaGraphInfo mg : metaGraphs()) {
      for (SignatureInfo s : mg.signatures()) {
        if (s.key().equals(key)) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException(
        "SavedModel '"
            + dir
            + "' has no signature '"
            + key
            + "'; expected one of "
            + metaGraphs().stream()
                .flatMap(m -> m.signatures().stream())
                .map(SignatureInfo::key)
                .distinct()
                .toList());
  }

  private static SignatureInfo signature(String key, SignatureDef def) {
    Map<String, TensorInfo> in = new LinkedHashMap<>();
    def.getInputsMap().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> in.put(e.getKey(), tensorInfo(e.getValue())));
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    def.getOutputsMap().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.put(e.getKey(), tensorInfo(e.getValue())));
    return new SignatureInfo(key, def.getMethodName(), in, out);
  }

  private static TensorInfo tensorInfo(org.tensorflow.proto.TensorInfo t) {
    TensorShapeProto s = t.getTensorShape();
    long[] shape =
        s.getUnknownRank()
            ? null
            : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    String name =
        t.hasCompositeTensor()
            ? "(composite tensor)"
            : t.hasCooSparse()
                ? "(sparse: " + t.getCooSparse().getValuesTensorName() + ")"
                : t.getName();
    return new TensorInfo(name, t.getDtype(), shape);
  }

  /** The listing {@code saved_model_cli show --dir DIR --all} prints, in the same layout. */
  public String show() {
    StringBuilder sb = new StringBuilder();
    for (MetaGraphInfo mg : metaGraphs()) {
      sb.append("\nMetaGraphDef with tag-set: '")
          .append(String.join(", ", mg.tags()))
          .append("' contains the following SignatureDefs:\n");
      for (SignatureInfo s : mg.signatures()) {
        sb.append("\nsignature_def['").append(s.key()).append("']:\n");
        sb.append("  The given SavedModel SignatureDef contains the following input(s):\n");
        s.inputs().forEach((k, t) -> tensor(sb, "inputs", k, t));
        sb.append("  The given SavedModel SignatureDef contains the following output(s):\n");
        s.outputs().forEach((k, t) -> tensor(sb, "outputs", k, t));
        sb.append("  Method name is: ").append(s.methodName()).append('\n');
      }
    }
    return sb.toString();
  }

  private static void tensor(StringBuilder sb, String kind, String key, TensorInfo t) {
    sb.append("    ").append(kind).append("['").append(key).append("'] tensor_info:\n");
    sb.append("        dtype: ").append(t.dtype()).append('\n');
    sb.append("        shape: ").append(t.shapeString()).append('\n');
    sb.append("        name: ").append(t.name()).append('\n');
  }

  /** Our export metadata ({@code assets.extra/tfhybrid.json}) when the model is one of ours. */
  public Optional<ExportMetadata> metadata() throws IOException {
    Path f = dir.resolve(ServingSignatures.METADATA_FILE);
    return Files.isRegularFile(f) ? Optional.of(ExportMetadata.read(f)) : Optional.empty();
  }

  /** Files under {@code assets/} and {@code assets.extra/}, relative to the version directory. */
  public List<Path> assets() throws IOException {
    List<Path> out = new ArrayList<>();
    for (String sub : List.of("assets", "assets.extra")) {
      Path d = dir.resolve(sub);
      if (Files.isDirectory(d)) {
        try (Stream<Path> files = Files.walk(d)) {
          files.filter(Files::isRegularFile).sorted().forEach(p -> out.add(dir.relativize(p)));
        }
      }
    }
    return out;
  }

  /** A checkpoint entry: key, dtype, shape. */
  public record VariableInfo(String key, DataType dtype, long[] shape) {
    public long numel() {
      return HostTensor.numel(shape);
    }
  }

  /** Every entry of the variables checkpoint (names as stored, in key order); empty when none. */
  public List<VariableInfo> variableInfos() throws IOException {
    Path index = dir.resolve("variables").resolve("variables.index");
    if (!Files.isRegularFile(index)) {
      return List.of();
    }
    List<VariableInfo> out = new ArrayList<>();
    for (TensorBundle.Entry e : TensorBundle.readIndex(index).entries()) {
      out.add(new VariableInfo(e.key(), e.proto().getDtype(), e.shape()));
    }
    return out;
  }

  /**
   * Every numeric variable as stored in the checkpoint (TensorFlow layout). TF2 names lose their
   * {@code /.ATTRIBUTES/VARIABLE_VALUE} suffix; string entries (the TF2 object graph) and sliced
   * variables are skipped. {@link StateDict#notes()} says what was done.
   */
  public StateDict variables() throws IOException {
    Path prefix = dir.resolve("variables").resolve("variables");
    Path index = Path.of(prefix + ".index");
    LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    String source = dir.getFileName() + "/variables";
    if (!Files.isRegularFile(index)) {
      notes.add("the SavedModel has no variables/variables.index: no variables");
      return StateDict.of(source, tensors, notes);
    }
    TensorBundle.Index idx = TensorBundle.readIndex(index);
    List<String> skipped = new ArrayList<>();
    int renamed = 0;
    for (TensorBundle.Entry e : idx.entries()) {
      if (e.proto().getSlicesCount() > 0) {
        skipped.add(e.key() + " (partitioned into slices)");
        continue;
      }
      DType dt;
      try {
        dt = Tensors.dtypeOf(e.proto().getDtype());
      } catch (IllegalArgumentException notNumeric) {
        skipped.add(e.key() + " (" + e.proto().getDtype() + ")");
        continue;
      }
      String key = e.key();
      if (key.endsWith(TF2_VARIABLE_SUFFIX)) {
        key = key.substring(0, key.length() - TF2_VARIABLE_SUFFIX.length());
        renamed++;
      }
      tensors.put(key, TensorBundle.read(prefix, idx, e, dt));
    }
    if (renamed > 0) {
      notes.add("removed the TF2 suffix '" + TF2_VARIABLE_SUFFIX + "' from " + renamed + " keys");
    }
    if (!skipped.isEmpty()) {
      notes.add("skipped " + skipped.size() + " non-numeric or sliced entries: " + skipped);
    }
    return StateDict.of(source, tensors, notes);
  }

  /**
   * The variables as a PyTorch-layout state dict, ready for {@code WeightLoader}: for our exports
   * the metadata's layouts turn TF layouts back into torch layouts and derived variables are left
   * out; for any other SavedModel this is {@link #variables()} unchanged (with a note).
   */
  public StateDict stateDict() throws IOException {
    StateDict raw = variables();
    Optional<ExportMetadata> meta = metadata();
    if (meta.isEmpty()) {
      List<String> notes = new ArrayList<>(raw.notes());
      notes.add(
          "no "
              + ServingSignatures.METADATA_FILE
              + ": tensors are in TensorFlow layout, as stored");
      return StateDict.of(raw.source(), new LinkedHashMap<>(raw.asMap()), notes);
    }
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>(raw.notes());
    int derived = 0;
    for (ExportMetadata.Variable v : meta.get().variables()) {
      if (v.kind() == ParamSpec.Kind.DERIVED) {
        derived++;
        continue;
      }
      if (!raw.contains(v.key())) {
        throw new IOException(
            "SavedModel '"
                + dir
                + "': the metadata lists variable '"
                + v.key()
                + "' but the checkpoint has no such entry");
      }
      HostTensor t = raw.get(v.key());
      if (v.dtype() == DType.F32) {
        // Torch shape, bytes left in TF's layout (tagged): loading them back moves nothing.
        out.put(v.key(), v.layout().torchView(t.dtype(), v.torchShape(), t.data()));
      } else {
        out.put(v.key(), HostTensor.of(t.dtype(), v.torchShape(), t.data()));
      }
    }
    notes.add(
        "converted "
            + out.size()
            + " variables to PyTorch names and shapes, their bytes kept in TensorFlow layout ("
            + meta.get().arch()
            + " '"
            + meta.get().model()
            + "')"
            + (derived > 0 ? "; left out " + derived + " derived variables" : ""));
    return StateDict.of(raw.source(), out, notes);
  }

  /** The loaded bundle (graph + session), loaded on first use with the first tag set. */
  public synchronized SavedModelBundle bundle() {
    if (bundle == null) {
      List<MetaGraphInfo> mgs = metaGraphs();
      Set<String> tags = mgs.isEmpty() ? Set.of(ServingSignatures.TAG) : mgs.get(0).tags();
      for (MetaGraphInfo mg : mgs) {
        if (mg.tags().equals(Set.of(ServingSignatures.TAG))) {
          tags = mg.tags();
        }
      }
      bundle = SavedModelBundle.load(dir.toString(), tags.toArray(new String[0]));
      bundleTags = tags;
    }
    return bundle;
  }

  /** The tags the bundle was loaded with (after {@link #bundle()}). */
  public Set<String> bundleTags() {
    return bundleTags;
  }

  /**
   * Runs a signature. Every input of the signature must be given; the result maps each output alias
   * to its value (numeric outputs only).
   */
  public Map<String, HostTensor> run(String signatureKey, Map<String, HostTensor> inputs) {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        feeds.put(e.getKey(), Tensors.toTensor(e.getValue()));
      }
      return runTensors(signatureKey, feeds);
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  /**
   * Runs a signature on {@code .npy} inputs (input alias → file). When {@code outDir} is not null
   * every output is also written there as {@code <output alias>.npy}.
   */
  public Map<String, HostTensor> runNpy(String signatureKey, Map<String, Path> inputs, Path outDir)
      throws IOException {
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : inputs.entrySet()) {
      feeds.put(e.getKey(), NpyReader.readArray(e.getValue()));
    }
    Map<String, HostTensor> out = run(signatureKey, feeds);
    if (outDir != null) {
      Files.createDirectories(outDir);
      for (Map.Entry<String, HostTensor> e : out.entrySet()) {
        NpyReader.write(outDir.resolve(e.getKey() + ".npy"), e.getValue());
      }
    }
    return out;
  }

  /** Runs a signature on TensorFlow tensors (e.g. strings); the caller keeps ownership of them. */
  public Map<String, HostTensor> runTensors(String signatureKey, Map<String, Tensor> inputs) {
    SignatureInfo sig = signature(signatureKey);
    Set<String> missing = new LinkedHashSet<>(sig.inputs().keySet());
    missing.removeAll(inputs.keySet());
    Set<String> unknown = new LinkedHashSet<>(inputs.keySet());
    unknown.removeAll(sig.inputs().keySet());
    if (!missing.isEmpty() || !unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "signature '"
              + signatureKey
              + "' takes inputs "
              + sig.inputs().keySet()
              + "; found "
              + inputs.keySet()
              + (missing.isEmpty() ? "" : ", missing " + missing)
              + (unknown.isEmpty() ? "" : ", unknown " + unknown));
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    try (Result r = bundle().function(signatureKey).call(inputs)) {
      for (String name : sig.outputs().keySet()) {
        Tensor t =
            r.get(name)
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "signature '" + signatureKey + "' returned no output '" + name + "'"));
        out.put(name, Tensors.toHost(t));
      }
    }
    return out;
  }

  /** One replayed warmup request: its signature and outputs. */
  public record WarmupResult(String signature, Map<String, HostTensor> outputs) {}

  /**
   * Reads {@code assets.extra/tf_serving_warmup_requests} (checking the TFRecord CRCs) and runs
   * every request as TF Serving would before serving traffic. Empty when there is no warmup file.
   */
  public List<WarmupResult> replayWarmup() throws IOException {
    Path f = dir.resolve(ServingSignatures.WARMUP_FILE);
    if (!Files.isRegularFile(f)) {
      return List.of();
    }
    List<WarmupResult> out = new ArrayList<>();
    for (PredictionLog log : WarmupRequests.read(f)) {
      if (!log.hasPredictLog()) {
        throw new IOException(
            "'"
                + f
                + "': a PredictionLog without a predict_log (only Predict"
                + " requests are replayed)");
      }
      PredictRequest req = log.getPredictLog().getRequest();
      String sig =
          req.getModelSpec().getSignatureName().isEmpty()
              ? ServingSignatures.SERVING_DEFAULT
              : req.getModelSpec().getSignatureName();
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      try {
        req.getInputsMap().forEach((k, v) -> feeds.put(k, WarmupRequests.toTensor(v)));
        out.add(new WarmupResult(sig, runTensors(sig, feeds)));
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
    return out;
  }

  @Override
  public synchronized void close() {
    if (bundle != null) {
      bundle.close();
      bundle = null;
    }
  }
}
