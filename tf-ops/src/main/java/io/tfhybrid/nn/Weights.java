package io.tfhybrid.nn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The TF variables of one model. Each is a {@code VariableV2} created at the root scope with
 * {@code tf.withName(fullKey)}, so the graph op, the SavedModel checkpoint entry and the PyTorch
 * state_dict key are the same string. TF Java makes clashing names unique without telling
 * ({@code a} → {@code a_1}); we check every name and fail instead.
 *
 * <p>Values are written by feeding host tensors into one {@code Assign} per variable (ops under
 * the {@code load/} scope), so loading is a single session run without per-variable graph growth.
 */
public final class Weights {
  private final Map<String, Slot<?>> slots = new LinkedHashMap<>();

  private record Slot<T extends TType>(ParamSpec spec, Variable<T> variable, Placeholder<T> value,
      Assign<T> assign) {}

  /** Creates one variable per spec (full keys). */
  public Weights(Ops rootTf, List<ParamSpec> specs) {
    Ops load = rootTf.withSubScope("load");
    for (ParamSpec spec : specs) {
      Shape shape = Shape.of(spec.tfShape());
      if (spec.dtype() == DType.I64) {
        slots.put(spec.key(), slot(rootTf, load, spec, shape, TInt64.class));
      } else {
        Checks.checkArg(spec.dtype() == DType.F32, "variable '%s': unsupported dtype %s",
            spec.key(), spec.dtype());
        slots.put(spec.key(), slot(rootTf, load, spec, shape, TFloat32.class));
      }
    }
  }

  private static <T extends TType> Slot<T> slot(Ops rootTf, Ops load, ParamSpec spec, Shape shape,
      Class<T> type) {
    Variable<T> v = rootTf.withName(spec.key()).variable(shape, type);
    Checks.checkState(v.op().name().equals(spec.key()),
        "TF renamed variable '%s' to '%s': a name clash in the graph", spec.key(), v.op().name());
    Placeholder<T> p = load.placeholder(type, Placeholder.shape(shape));
    Assign<T> a = load.assign(v, p);
    return new Slot<>(spec, v, p, a);
  }

  public Operand<TFloat32> floatVariable(String key) {
    return typed(key, TFloat32.class);
  }

  public Operand<TInt64> longVariable(String key) {
    return typed(key, TInt64.class);
  }

  @SuppressWarnings("unchecked")
  private <T extends TType> Operand<T> typed(String key, Class<T> type) {
    Slot<?> s = slots.get(key);
    Checks.checkState(s != null, "no variable '%s' was declared (declared: %s…)", key,
        slots.keySet().stream().limit(5).toList());
    Checks.checkState(s.variable().type() == type, "variable '%s' is %s, read as %s", key,
        s.variable().type().getSimpleName(), type.getSimpleName());
    return (Operand<T>) s.variable();
  }

  /** The specs of every variable, in creation order. */
  public List<ParamSpec> specs() {
    return slots.values().stream().<ParamSpec>map(Slot::spec).toList();
  }

  /**
   * Writes checkpoint tensors (torch shapes as declared; keys are variables) into their variables:
   * each goes once into the memory of the TF tensor that is fed, converted by its spec's {@link
   * Layout} on the way ({@link Layout#writeTf}: straight from the file for a lazy F32 tensor that
   * needs no permutation), then one session run assigns them all and the fed tensors are freed.
   *
   * @throws IOException when a lazy tensor's file cannot be read as it was parsed
   */
  public void load(Session session, Map<String, HostTensor> tensors) throws IOException {
    List<Tensor> open = new ArrayList<>();
    HostTensor.Scratch scratch = new HostTensor.Scratch();
    try {
      Session.Runner runner = session.runner();
      for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
        Slot<?> s = slots.get(e.getKey());
        Checks.checkArg(s != null, "no variable '%s' in this model", e.getKey());
        HostTensor h = e.getValue();
        ParamSpec spec = s.spec();
        Checks.checkArg(java.util.Arrays.equals(h.shape(), spec.torchShape()),
            "'%s': tensor %s for the declared torch shape %s", e.getKey(), Checks.shape(h.shape()),
            Checks.shape(spec.torchShape()));
        Shape shape = Shape.of(spec.tfShape());
        Tensor t;
        if (spec.dtype() == DType.I64) {
          TInt64 l = TInt64.tensorOf(shape);
          open.add(l);
          Layout.writeTfLongs(h, l.asRawTensor().data(), scratch);
          t = l;
        } else {
          TFloat32 f = TFloat32.tensorOf(shape);
          open.add(f);
          spec.layout().writeTf(h, f.asRawTensor().data(), scratch);
          t = f;
        }
        runner.feed(s.value(), t).addTarget(s.assign());
      }
      if (!runner.isEmpty()) {
        runner.run().close();
      }
    } finally {
      open.forEach(Tensor::close);
    }
  }

  /**
   * Writes values into variables. Float values are TF-layout data; int64 values are given as
   * {@code long[]}. Every key must be a declared variable; the sizes must match.
   */
  public void assign(Session session, Map<String, ?> tfLayoutValues) {
    List<Tensor> open = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (Map.Entry<String, ?> e : tfLayoutValues.entrySet()) {
        Slot<?> s = slots.get(e.getKey());
        Checks.checkArg(s != null, "no variable '%s' in this model", e.getKey());
        Shape shape = Shape.of(s.spec().tfShape());
        Tensor t;
        if (e.getValue() instanceof float[] f) {
          Checks.checkArg(f.length == shape.size(), "'%s': %s values for TF shape %s", e.getKey(),
              f.length, shape);
          t = TFloat32.tensorOf(shape, DataBuffers.of(f, true, false));
        } else if (e.getValue() instanceof long[] l) {
          Checks.checkArg(l.length == shape.size(), "'%s': %s values for TF shape %s", e.getKey(),
              l.length, shape);
          t = TInt64.tensorOf(shape, DataBuffers.of(l, true, false));
        } else {
          throw new IllegalArgumentException("'" + e.getKey() + "': expected float[] or long[]");
        }
        open.add(t);
        runner.feed(s.value(), t).addTarget(s.assign());
      }
      if (!runner.isEmpty()) {
        runner.run().close();
      }
    } finally {
      open.forEach(Tensor::close);
    }
  }
}
