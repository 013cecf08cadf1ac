package io.tfhybrid.arch;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.LookupScope;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
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
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A model instantiated as a TF graph at one input size (batch dynamic): variables named by
 * state_dict keys, an NHWC float32 input, logits, pooled features, and every module output
 * recorded by path for captures. Owns its graph and session.
 *
 * <p>The variables exist from the start; the in-process forward pass ({@link #input()}, {@link
 * #outputs()}, {@link #run}) is emitted on first use. A model that is only loaded and exported (as
 * {@code convert} does) thus holds one emission of the forward pass, the serving graph's, not a
 * second one that no signature reads.
 */
public final class BuiltModel implements AutoCloseable {
  /** Output names that are not module paths. */
  public static final String LOGITS = "logits";

  public static final String FEATURES = "features";

  private final String name;
  private final ClassifierModel root;
  private final long height;
  private final long width;
  private final Graph graph;
  private final Session session;
  private final Weights weights;
  private final Ops tf;
  private Placeholder<TFloat32> input; // emitted on first use, under this model's lock
  private Map<String, Operand<TFloat32>> outputs;

  private BuiltModel(String name, ClassifierModel root, long height, long width) {
    this.name = name;
    this.root = root;
    this.height = height;
    this.width = width;
    root.checkInputSize(height, width);
    this.graph = new Graph();
    try {
      this.tf = LookupScope.ops(graph); // linear in the graph size (TF Java's scopes are not)
      this.weights = new Weights(tf, root.variableSpec());
      this.session = new Session(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Builds {@code root} for inputs of {@code height × width} (NHWC, any batch). */
  public static BuiltModel build(String name, ClassifierModel root, long height, long width) {
    return new BuiltModel(name, root, height, width);
  }

  /** Builds a registry variant at its default resolution. */
  public static BuiltModel build(Variant<?> variant) {
    return build(variant.id(), variant.config().createModule(), variant.height(), variant.width());
  }

  public String name() {
    return name;
  }

  public ClassifierModel root() {
    return root;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public Weights weights() {
    return weights;
  }

  /** The NHWC float32 input of the in-process forward pass (emitted on first use). */
  public Placeholder<TFloat32> input() {
    emitForwardPass();
    return input;
  }

  /**
   * Emits the in-process forward pass into the graph unless that was done; {@link #input()},
   * {@link #outputs()} and {@link #run} call it. Graph changes by other code (the serving graph)
   * synchronise on this model too.
   */
  public synchronized void emitForwardPass() {
    if (outputs != null) {
      return;
    }
    Placeholder<TFloat32> in = tf.withName("images_nhwc")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, height, width, 3)));
    Ctx ctx = Ctx.root(tf, weights);
    ClassifierModel.Heads heads = root.emit(ctx, in);
    Map<String, Operand<TFloat32>> out = new LinkedHashMap<>(ctx.outputs());
    out.put(FEATURES, heads.features());
    out.put(LOGITS, heads.logits());
    this.input = in;
    this.outputs = out;
  }

  public long height() {
    return height;
  }

  public long width() {
    return width;
  }

  /** Every fetchable output: module paths in build order, then "features" and "logits". */
  public Map<String, Operand<TFloat32>> outputs() {
    emitForwardPass();
    return java.util.Collections.unmodifiableMap(outputs);
  }

  /** The state_dict entries of this model (full keys, PyTorch order). */
  public List<ParamSpec> stateDictSpec() {
    return root.stateDictSpec();
  }

  /**
   * Runs a batch. {@code inputNhwc} is float32 {@code [N, H, W, 3]}; returns the requested outputs
   * (module paths, "features", "logits") as produced by the graph (maps NHWC, tokens [B, N, C]).
   */
  public Map<String, HostTensor> run(HostTensor inputNhwc, Collection<String> fetch) {
    long[] s = inputNhwc.shape();
    if (s.length != 4 || s[1] != height || s[2] != width || s[3] != 3) {
      String hint = s.length == 4 && s[1] == 3 ? " (NCHW? use Layouts.nchwToNhwc)" : "";
      throw new IllegalArgumentException(String.format(
          "%s[%s] input: expected [N, %d, %d, 3] NHWC float32, found %s%s", root.arch().displayName(),
          name, height, width, Checks.shape(s), hint));
    }
    Checks.checkArg(inputNhwc.dtype() == DType.F32, "%s input: expected float32, found %s", name,
        inputNhwc.dtype().torchName());
    emitForwardPass();
    List<String> names = new ArrayList<>(fetch);
    for (String n : names) {
      Checks.checkArg(outputs.containsKey(n), "%s has no output '%s'; known: %s", name, n,
          outputs.keySet());
    }
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(s),
        DataBuffers.of(inputNhwc.toFloatArray(), true, false))) {
      Session.Runner r = session.runner().feed(input, x);
      // TF Java's Result rejects fetching one output twice, and a module's output is often also
      // its last child's (stages.2 and stages.2.1): fetch each distinct tensor once.
      Map<String, Integer> slot = new LinkedHashMap<>();
      int[] at = new int[names.size()];
      for (int i = 0; i < names.size(); i++) {
        var o = outputs.get(names.get(i)).asOutput();
        String id = o.op().name() + ":" + o.index();
        Integer k = slot.get(id);
        if (k == null) {
          k = slot.size();
          slot.put(id, k);
          r.fetch(o);
        }
        at[i] = k;
      }
      Map<String, HostTensor> result = new LinkedHashMap<>();
      try (Result res = r.run()) {
        List<HostTensor> distinct = new ArrayList<>();
        for (int i = 0; i < slot.size(); i++) {
          distinct.add(toHost((TFloat32) res.get(i)));
        }
        for (int i = 0; i < names.size(); i++) {
          result.put(names.get(i), distinct.get(at[i]));
        }
      }
      return result;
    }
  }

  /** Copies a float tensor to the host. */
  public static HostTensor toHost(TFloat32 t) {
    long[] shape = t.shape().asArray();
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numBytes())).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(f, false, false));
    b.asFloatBuffer().put(f);
    return HostTensor.of(DType.F32, shape, b);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

}
