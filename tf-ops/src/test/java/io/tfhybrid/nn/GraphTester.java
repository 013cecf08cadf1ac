package io.tfhybrid.nn;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Graph-mode test helper (after TF Java's {@code framework/utils/TestSession}): builds ops in a
 * fresh graph, evaluates them, and runs single modules with given torch-layout weights.
 */
public final class GraphTester implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Ops tf = Ops.create(graph);
  private Session session;

  public static GraphTester create() {
    return new GraphTester();
  }

  /** 0, 1, 2, … so every element is distinguishable. */
  public static float[] iota(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  public Ops tf() {
    return tf;
  }

  public Graph graph() {
    return graph;
  }

  /** A float constant of the given (TF) shape. */
  public Operand<TFloat32> constant(long[] shape, float[] values) {
    return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  /** Evaluates a float operand into a host tensor. */
  public HostTensor eval(Operand<TFloat32> x) {
    return evalAll(List.of(x)).get(0);
  }

  /** Evaluates several operands in one run. */
  public List<HostTensor> evalAll(List<Operand<TFloat32>> xs) {
    if (session == null) {
      session = new Session(graph);
    }
    // TF Java's Result rejects fetching the same output twice (a module's output is often also
    // the recorded output of its last child), so fetch each distinct output once.
    Session.Runner r = session.runner();
    Map<String, Integer> slot = new LinkedHashMap<>();
    int[] at = new int[xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      var o = xs.get(i).asOutput();
      String name = o.op().name() + ":" + o.index();
      Integer k = slot.get(name);
      if (k == null) {
        k = slot.size();
        slot.put(name, k);
        r.fetch(o);
      }
      at[i] = k;
    }
    try (Result res = r.run()) {
      java.util.ArrayList<HostTensor> distinct = new java.util.ArrayList<>();
      for (int i = 0; i < slot.size(); i++) {
        TFloat32 t = (TFloat32) res.get(i);
        float[] f = new float[Math.toIntExact(t.size())];
        t.copyTo(DataBuffers.of(f, false, false));
        distinct.add(HostTensor.ofFloats(t.shape().asArray(), f));
      }
      java.util.ArrayList<HostTensor> out = new java.util.ArrayList<>();
      for (int i = 0; i < xs.size(); i++) {
        out.add(distinct.get(at[i]));
      }
      return out;
    }
  }

  /** The result of running one module: its output and every recorded capture. */
  public record ModuleRun(HostTensor output, Map<String, HostTensor> captures) {}

  /**
   * Builds {@code module} in this graph, loads {@code torchWeights} (full keys → torch-layout
   * floats; int64 buffers as long[]; missing entries are zero) through {@link Layout}, and runs it
   * on {@code input} (TF layout).
   */
  public ModuleRun run(Module module, Map<String, ?> torchWeights, long[] inputShape, float[] input) {
    Checks.checkState(session == null, "run() must be the first evaluation of a GraphTester");
    List<ParamSpec> specs = module.variableSpec();
    Weights weights = new Weights(tf, specs);
    Ctx ctx = Ctx.root(tf, weights);
    Operand<TFloat32> y = module.forward(ctx, constant(inputShape, input));
    session = new Session(graph);
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, HostTensor> byKey = new HashMap<>();
    for (ParamSpec s : specs) {
      if (s.kind() == ParamSpec.Kind.DERIVED) {
        continue;
      }
      Object v = torchWeights.get(s.key());
      int n = Math.toIntExact(s.numel());
      if (s.dtype() == DType.I64) {
        long[] l = v == null ? new long[n] : (long[]) v;
        values.put(s.key(), l);
        byKey.put(s.key(), HostTensor.ofLongs(s.torchShape(), l));
      } else {
        float[] f = v == null ? new float[n] : (float[]) v;
        values.put(s.key(), s.layout().toTf(f, s.torchShape()));
        byKey.put(s.key(), HostTensor.ofFloats(s.torchShape(), f));
      }
    }
    for (ParamSpec s : specs) {
      if (s.kind() == ParamSpec.Kind.DERIVED) {
        values.put(s.key(), s.derivation().compute().apply(
            s.derivation().sources().stream().map(byKey::get).toList()));
      }
    }
    weights.assign(session, values);
    List<String> names = List.copyOf(ctx.outputs().keySet());
    List<Operand<TFloat32>> fetch = new java.util.ArrayList<>();
    fetch.add(y);
    names.forEach(n -> fetch.add(ctx.outputs().get(n)));
    List<HostTensor> res = evalAll(fetch);
    Map<String, HostTensor> caps = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      caps.put(names.get(i), res.get(i + 1));
    }
    return new ModuleRun(res.get(0), caps);
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
