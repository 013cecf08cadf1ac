package io.tfhybrid.arch;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.BatchNormAct2d;
import io.tfhybrid.nn.GroupNorm;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.RandomWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.NodeOutput;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * Where the time of one forward pass goes: per-op-type time from TensorFlow's step stats
 * ({@code RunOptions.trace_level = FULL_TRACE}), grouped into buckets (convolution, depthwise
 * convolution, matmul, norms, GELU/softmax, transposes/reshapes, everything else), the op types
 * of the graph TensorFlow really runs after grappler ({@code output_partition_graphs}: shows
 * whether remapper fusions such as {@code _FusedConv2D} or {@code _FusedMatMul} happened), and the
 * achieved GFLOP/s of the convolutions and matmuls against a measured 2-thread matmul peak.
 *
 * <p>The op times are what the executor records per node, averaged over the traced runs; with
 * inter-op parallelism they may sum to more than the wall time. The wall time is the median of
 * untraced runs.
 */
public final class OpProfile {
  private OpProfile() {}

  /** The buckets of the breakdown, in print order. */
  public enum Bucket {
    CONV("conv"),
    DEPTHWISE("depthwise conv"),
    MATMUL("matmul/batch-matmul"),
    NORM("norms"),
    GELU_SOFTMAX("GELU/softmax/act"),
    LAYOUT("transposes/reshapes"),
    OTHER("everything else");

    private final String label;

    Bucket(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * Time of one op type within one bucket (an element-wise {@code Mul} may be part of a norm, a
   * GELU or neither): mean µs per pass over the traced runs, and its node count.
   */
  public record OpTime(String opType, Bucket bucket, double micros, int nodes) {}

  /**
   * One profile. Times in milliseconds per forward pass; {@code gflop} counts the convolutions
   * and matmuls (2 flops per multiply-add); {@code peakGflops} is the measured matmul peak, or
   * NaN when not measured. {@code graphOps} counts the op types of the optimised graph; {@code
   * fusions} counts its fused ops by what they fuse, e.g. {@code _MklNativeFusedMatMul [BiasAdd,
   * Add]} (their {@code fused_ops} attribute).
   */
  public record Result(String name, int batch, double wallMs, double tracedOpMs,
      Map<Bucket, Double> bucketMs, List<OpTime> opTypes, double gflop, int unknownFlopNodes,
      double peakGflops, Map<String, Integer> graphOps, Map<String, Integer> fusions) {

    /** Achieved GFLOP/s of the untraced wall time. */
    public double gflops() {
      return gflop / (wallMs / 1e3);
    }

    /**
     * The op types of the optimised graph that grappler's remapper or oneDNN rewrote ({@code
     * _Fused*}, {@code _Mkl*}), with their counts.
     */
    public Map<String, Integer> fusedOps() {
      Map<String, Integer> m = new TreeMap<>();
      graphOps.forEach((k, v) -> {
        if (k.startsWith("_Fused") || k.startsWith("_Mkl")) {
          m.put(k, v);
        }
      });
      return m;
    }

    /** The breakdown, the top {@code top} op types and the fused op counts, as printed text. */
    public String format(int top, boolean allGraphOps) {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT,
          "%s batch %d: wall %.1f ms (median, untraced), op time %.1f ms (traced, summed over"
              + " nodes)%n", name, batch, wallMs, tracedOpMs));
      for (Bucket k : Bucket.values()) {
        double ms = bucketMs.getOrDefault(k, 0.0);
        b.append(String.format(Locale.ROOT, "  %-22s %8.2f ms  %5.1f %%%n", k.label(), ms,
            100 * ms / tracedOpMs));
      }
      b.append(String.format(Locale.ROOT, "  %.2f GFLOP (conv + matmul%s): %.1f GFLOP/s", gflop,
          unknownFlopNodes > 0 ? ", " + unknownFlopNodes + " nodes of unknown shape left out" : "",
          gflops()));
      if (!Double.isNaN(peakGflops)) {
        b.append(String.format(Locale.ROOT, " = %.0f %% of the %.0f GFLOP/s matmul peak",
            100 * gflops() / peakGflops, peakGflops));
      }
      b.append(System.lineSeparator());
      b.append("  top op types:").append(System.lineSeparator());
      for (int i = 0; i < Math.min(top, opTypes.size()); i++) {
        OpTime t = opTypes.get(i);
        b.append(String.format(Locale.ROOT, "    %-36s %8.2f ms %5d nodes  (%s)%n", t.opType(),
            t.micros() / 1e3, t.nodes(), t.bucket().label()));
      }
      Map<String, Integer> shown = allGraphOps ? new TreeMap<>(graphOps) : fusedOps();
      b.append(allGraphOps ? "  optimised graph op types:" : "  fused/oneDNN op types in the"
          + " optimised graph:");
      if (shown.isEmpty()) {
        b.append(" none");
      }
      b.append(System.lineSeparator());
      shown.forEach((k, v) -> b.append(String.format(Locale.ROOT, "    %-36s %5d%n", k, v)));
      if (!fusions.isEmpty()) {
        b.append("  what the fused ops fuse (their fused_ops):").append(System.lineSeparator());
        fusions.forEach((k, v) -> b.append(String.format(Locale.ROOT, "    %-52s %5d%n", k, v)));
      }
      return b.toString();
    }

    @Override
    public String toString() {
      return format(12, false);
    }
  }

  /**
   * Profiles a registry variant at its default resolution with random weights (seed 1) and a
   * random batch (seed 2), in a session with TensorFlow's default options.
   *
   * @param peakGflops the matmul peak to compare with ({@link #matmulPeakGflops}), or NaN
   */
  public static Result run(Variant<?> variant, int batch, int warmup, int timed, int traced,
      double peakGflops) {
    Checks.checkArg(batch >= 1 && timed >= 1 && traced >= 1 && warmup >= 0,
        "profile: expected batch >= 1, timed >= 1, traced >= 1, warmup >= 0, found %s, %s, %s, %s",
        batch, timed, traced, warmup);
    try (BuiltModel m = BuiltModel.build(variant)) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
      HostTensor x = RandomWeights.input(2, batch, m.height(), m.width(), 3);
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(x.shape()),
          DataBuffers.of(x.toFloatArray(), true, false))) {
        var logits = m.outputs().get(BuiltModel.LOGITS);
        return profile(variant.id(), batch,
            () -> m.session().runner().feed(m.input(), t).fetch(logits), scopes(m.root()), warmup,
            timed, traced, peakGflops);
      }
    }
  }

  /**
   * Profiles any session run: {@code runner} gives a fresh runner with its feeds and fetches set
   * (e.g. of a SavedModel's session). Runs {@code warmup} untimed passes, {@code timed} timed ones
   * (the median is the wall time) and {@code traced} ones with full tracing. {@code scopes} (from
   * {@link #scopes}, may be empty) puts the element-wise ops of norm and activation modules into
   * their buckets; the ops of an exact-erf GELU written inline are recognised by their pattern.
   */
  public static Result profile(String name, int batch, Supplier<Session.Runner> runner,
      Map<String, Bucket> scopes, int warmup, int timed, int traced, double peakGflops) {
    double[] ms = Benchmark.timedPasses(warmup, timed, () -> runner.get().run().close());
    RunOptions opts = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE)
        .setOutputPartitionGraphs(true).build();
    Map<String, double[]> perType = new HashMap<>(); // op type -> {µs sum, nodes in one run}
    Map<String, Integer> graphOps = new TreeMap<>();
    Map<String, Integer> fusions = new TreeMap<>();
    double gflop = 0;
    int unknown = 0;
    for (int i = 0; i < traced; i++) {
      RunMetadata md;
      try (org.tensorflow.Result r = runner.get().setOptions(opts).runAndFetchMetadata()) {
        md = r.getMetadata().orElseThrow(
            () -> new IllegalStateException("TensorFlow returned no run metadata"));
      }
      Map<String, NodeDef> nodes = new HashMap<>();
      for (GraphDef g : md.getPartitionGraphsList()) {
        for (NodeDef n : g.getNodeList()) {
          nodes.put(n.getName(), n);
        }
      }
      Map<String, List<TensorShapeProto>> shapes = new HashMap<>();
      List<NodeExecStats> stats = new ArrayList<>();
      for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
        for (NodeExecStats s : d.getNodeStatsList()) {
          stats.add(s);
          List<TensorShapeProto> outs = new ArrayList<>();
          for (NodeOutput o : s.getOutputList()) {
            while (outs.size() <= o.getSlot()) {
              outs.add(null);
            }
            outs.set(o.getSlot(), o.getTensorDescription().getShape());
          }
          shapes.put(s.getNodeName(), outs);
        }
      }
      Map<String, Bucket> geluNodes = geluPatterns(nodes);
      Map<String, Integer> countThisRun = new HashMap<>();
      for (NodeExecStats s : stats) {
        NodeDef def = nodes.get(s.getNodeName());
        String op = def != null ? def.getOp() : opFromLabel(s.getTimelineLabel());
        if (op == null) {
          continue; // executor bookkeeping without a node (e.g. the "_SOURCE" entry)
        }
        Bucket bk = bucket(op);
        if (bk == Bucket.OTHER) {
          bk = geluNodes.getOrDefault(s.getNodeName(), scopeBucket(scopes, s.getNodeName()));
        }
        String key = op + "|" + bk.name();
        double us = s.getAllEndRelMicros();
        perType.computeIfAbsent(key, k -> new double[2])[0] += us;
        countThisRun.merge(key, 1, Integer::sum);
        if (i == 0 && def != null) {
          double f = flops(def, shapes);
          if (f < 0) {
            unknown++;
          } else {
            gflop += f / 1e9;
          }
        }
      }
      if (i == 0) {
        countThisRun.forEach((k, v) -> perType.get(k)[1] = v);
        for (NodeDef n : nodes.values()) {
          graphOps.merge(n.getOp(), 1, Integer::sum);
          AttrValue fused = n.getAttrMap().get("fused_ops");
          if (fused != null && fused.getList().getSCount() > 0) {
            List<String> parts = new ArrayList<>();
            fused.getList().getSList().forEach(bs -> parts.add(bs.toStringUtf8()));
            fusions.merge(n.getOp() + " " + parts, 1, Integer::sum);
          }
        }
      }
    }
    List<OpTime> types = new ArrayList<>();
    Map<Bucket, Double> buckets = new EnumMap<>(Bucket.class);
    double total = 0;
    for (var e : perType.entrySet()) {
      double us = e.getValue()[0] / traced;
      String[] k = e.getKey().split("\\|");
      Bucket b = Bucket.valueOf(k[1]);
      types.add(new OpTime(k[0], b, us, (int) e.getValue()[1]));
      buckets.merge(b, us / 1e3, Double::sum);
      total += us / 1e3;
    }
    types.sort(Comparator.comparingDouble(OpTime::micros).reversed());
    return new Result(name, batch, ms[timed / 2], total, buckets, List.copyOf(types), gflop, unknown,
        peakGflops, new LinkedHashMap<>(graphOps), new LinkedHashMap<>(fusions));
  }

  /**
   * The bucket of an op type as the CPU executor names it: oneDNN's {@code _Mkl}/{@code
   * _MklNative} prefixes are ignored, fused kernels count with their main op.
   */
  public static Bucket bucket(String opType) {
    String t = opType.replaceFirst("^_MklNative", "").replaceFirst("^_Mkl", "")
        .replaceFirst("^_", "");
    if (t.contains("Depthwise")) {
      return Bucket.DEPTHWISE;
    }
    if (t.contains("Conv2D") || t.contains("Conv3D")) {
      return Bucket.CONV;
    }
    if (t.contains("MatMul") || t.equals("Einsum")) {
      return Bucket.MATMUL;
    }
    if (t.contains("BatchNorm") || t.contains("LayerNorm") || t.contains("InstanceNorm")
        || t.equals("Rsqrt") || t.equals("SquaredDifference")) {
      return Bucket.NORM;
    }
    if (t.equals("Erf") || t.contains("Gelu") || t.contains("Softmax")) {
      return Bucket.GELU_SOFTMAX;
    }
    if (t.equals("Transpose") || t.equals("ConjugateTranspose") || t.equals("Reshape")
        || t.equals("Squeeze") || t.equals("ExpandDims") || t.equals("ConcatV2")
        || t.equals("Pack") || t.equals("Unpack") || t.equals("StridedSlice") || t.equals("Slice")
        || t.equals("Split") || t.equals("SplitV") || t.equals("Pad") || t.equals("Identity")
        || t.equals("GatherV2") || t.equals("ToTf") || t.equals("MklToTf")) {
      return Bucket.LAYOUT;
    }
    return Bucket.OTHER;
  }

  /**
   * Graph name scope ({@code stages/0/0/mlp/norm}) → bucket, for the norm modules ({@code
   * LayerNorm}, {@code BatchNorm2d}, {@code BatchNormAct2d}, {@code GroupNorm}) and activation
   * modules ({@code Act}) below {@code root}: their element-wise ops count in those buckets.
   */
  public static Map<String, Bucket> scopes(Module root) {
    Map<String, Bucket> out = new HashMap<>();
    addScopes(root, "", out);
    return out;
  }

  private static void addScopes(Module m, String path, Map<String, Bucket> out) {
    if (m instanceof LayerNorm || m instanceof BatchNorm2d || m instanceof BatchNormAct2d
        || m instanceof GroupNorm) {
      out.put(path, Bucket.NORM);
    } else if (m instanceof Act) {
      out.put(path, Bucket.GELU_SOFTMAX);
    }
    for (var c : m.children().entrySet()) {
      addScopes(c.getValue(), path.isEmpty() ? c.getKey() : path + "/" + c.getKey(), out);
    }
  }

  /** The bucket of the innermost module scope around a node; a signature prefix is skipped. */
  private static Bucket scopeBucket(Map<String, Bucket> scopes, String nodeName) {
    int first = nodeName.indexOf('/');
    for (String name : first < 0 ? List.of(nodeName)
        : List.of(nodeName, nodeName.substring(first + 1))) {
      for (int i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
        Bucket b = scopes.get(name.substring(0, i));
        if (b != null) {
          return b;
        }
      }
    }
    return Bucket.OTHER;
  }

  /**
   * The nodes of inline exact-erf GELUs {@code 0.5·x·(1 + erf(x·c))}: every {@code Erf}, the
   * {@code Mul} feeding it and the chain of up to three single-consumer {@code Mul}/{@code Add}
   * nodes after it.
   */
  private static Map<String, Bucket> geluPatterns(Map<String, NodeDef> nodes) {
    Map<String, List<String>> consumers = new HashMap<>();
    for (NodeDef n : nodes.values()) {
      for (String in : n.getInputList()) {
        if (!in.startsWith("^")) {
          int colon = in.indexOf(':');
          consumers.computeIfAbsent(colon < 0 ? in : in.substring(0, colon), k -> new ArrayList<>())
              .add(n.getName());
        }
      }
    }
    Map<String, Bucket> out = new HashMap<>();
    for (NodeDef n : nodes.values()) {
      if (!n.getOp().equals("Erf")) {
        continue;
      }
      String in = n.getInput(0).replaceFirst(":0$", "");
      NodeDef pre = nodes.get(in);
      if (pre != null && pre.getOp().equals("Mul")) {
        out.put(in, Bucket.GELU_SOFTMAX);
      }
      String cur = n.getName();
      for (int step = 0; step < 3; step++) {
        List<String> next = consumers.getOrDefault(cur, List.of());
        NodeDef c = next.size() == 1 ? nodes.get(next.get(0)) : null;
        if (c == null || !(c.getOp().equals("Mul") || c.getOp().startsWith("Add"))) {
          break;
        }
        out.put(c.getName(), Bucket.GELU_SOFTMAX);
        cur = c.getName();
      }
    }
    return out;
  }

  /** "name = OpType(inputs)" → OpType, or null. */
  private static String opFromLabel(String label) {
    int eq = label.indexOf(" = ");
    if (eq < 0) {
      return null;
    }
    int paren = label.indexOf('(', eq);
    return label.substring(eq + 3, paren < 0 ? label.length() : paren).trim();
  }

  /**
   * Flops (2 per multiply-add) of a convolution or matmul node from its recorded output shape and
   * its inputs' shapes; 0 for other ops; -1 when a needed shape was not recorded.
   */
  static double flops(NodeDef def, Map<String, List<TensorShapeProto>> shapes) {
    Bucket b = bucket(def.getOp());
    if (b != Bucket.CONV && b != Bucket.DEPTHWISE && b != Bucket.MATMUL) {
      return 0;
    }
    long[] out = shape(shapes, def.getName() + ":0");
    long[] in0 = def.getInputCount() > 0 ? shape(shapes, def.getInput(0)) : null;
    long[] in1 = def.getInputCount() > 1 ? shape(shapes, def.getInput(1)) : null;
    if (out == null || in0 == null || in1 == null) {
      return -1;
    }
    double outElems = 1;
    for (long d : out) {
      outElems *= d;
    }
    if (b == Bucket.CONV) { // filter [kh, kw, cin, cout]
      return in1.length == 4 ? 2 * outElems * in1[0] * in1[1] * in1[2] : -1;
    }
    if (b == Bucket.DEPTHWISE) { // filter [kh, kw, cin, multiplier]
      return in1.length == 4 ? 2 * outElems * in1[0] * in1[1] : -1;
    }
    boolean adjA = attr(def, "transpose_a") || attr(def, "adj_x");
    long k = adjA ? in0[in0.length - 2] : in0[in0.length - 1];
    return in0.length >= 2 ? 2 * outElems * k : -1;
  }

  private static boolean attr(NodeDef def, String name) {
    AttrValue v = def.getAttrMap().get(name);
    return v != null && v.getB();
  }

  private static long[] shape(Map<String, List<TensorShapeProto>> shapes, String input) {
    String in = input.startsWith("^") ? input.substring(1) : input;
    int colon = in.lastIndexOf(':');
    int slot = 0;
    if (colon > 0) {
      try {
        slot = Integer.parseInt(in.substring(colon + 1));
        in = in.substring(0, colon);
      } catch (NumberFormatException e) {
        slot = 0;
      }
    }
    List<TensorShapeProto> outs = shapes.get(in);
    if (outs == null || outs.size() <= slot || outs.get(slot) == null) {
      return null;
    }
    TensorShapeProto p = outs.get(slot);
    if (p.getUnknownRank()) {
      return null;
    }
    long[] s = new long[p.getDimCount()];
    for (int i = 0; i < s.length; i++) {
      s[i] = p.getDim(i).getSize();
      if (s[i] < 0) {
        return null;
      }
    }
    return s;
  }

  /**
   * The best-of-{@code timed} GFLOP/s of an {@code n × n × n} float32 MatMul in a session with
   * TensorFlow's default options: the matmul peak of this machine as TF reaches it (n = 2048 is
   * 17.2 GFLOP a pass).
   */
  public static double matmulPeakGflops(int n, int timed) {
    Checks.checkArg(n >= 1 && timed >= 1, "matmul peak: expected n >= 1, timed >= 1, found %s, %s",
        n, timed);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      var c = tf.linalg.matMul(a, b);
      HostTensor x = RandomWeights.input(3, n, n);
      try (TFloat32 ta = TFloat32.tensorOf(Shape.of(n, n),
              DataBuffers.of(x.toFloatArray(), true, false));
          TFloat32 tb = TFloat32.tensorOf(Shape.of(n, n),
              DataBuffers.of(x.toFloatArray(), true, false))) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < timed + 1; i++) {
          long t0 = System.nanoTime();
          s.runner().feed(a, ta).feed(b, tb).fetch(c).run().close();
          double sec = (System.nanoTime() - t0) / 1e9;
          if (i > 0) { // the first pass warms up
            best = Math.min(best, sec);
          }
        }
        return 2.0 * n * n * n / best / 1e9;
      }
    }
  }
}
