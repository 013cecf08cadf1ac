package io.tfhybrid.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random weights for smoke tests and benchmarks: N(0, 1/fan_in)-ish floats, norm gammas around 1,
 * positive running variances, computed buffers at their exact values.
 */
public final class RandomWeights {
  private RandomWeights() {}

  /** A smoke-test input: uniform floats in [-1, 1) of the given shape (e.g. NHWC). */
  public static HostTensor input(long seed, long... shape) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] f = new float[Math.toIntExact(HostTensor.numel(shape))];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return HostTensor.ofFloats(shape, f);
  }

  /** Torch-layout values for every state_dict entry (float[] or long[]), keyed by full key. */
  public static Map<String, Object> torchLayout(List<ParamSpec> specs, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, Object> out = new LinkedHashMap<>();
    for (ParamSpec s : specs) {
      if (s.kind() != ParamSpec.Kind.DERIVED) {
        out.put(s.key(), values(s, rnd));
      }
    }
    return out;
  }

  /**
   * The next state_dict entry of a stream of random weights, in torch layout: the value {@link
   * #torchLayout} gives {@code spec} when {@code rnd} has produced the entries before it. Lets a
   * writer produce a large checkpoint one tensor at a time.
   *
   * @throws IllegalArgumentException for a {@link ParamSpec.Kind#DERIVED} spec (not in a state_dict)
   */
  public static HostTensor torchTensor(ParamSpec spec, SplittableRandom rnd) {
    Checks.checkArg(spec.inStateDict(), "'%s' is derived, not a state_dict entry", spec.key());
    Object v = values(spec, rnd);
    return v instanceof long[] l
        ? HostTensor.ofLongs(spec.torchShape(), l)
        : HostTensor.ofFloats(spec.torchShape(), (float[]) v);
  }

  /**
   * float[] for floats: N(0, 1/fan_in)-ish weights (std 0.1 for vectors), norm gammas around 1,
   * running variances in [0.5, 1.5); long[] for I64 buffers (zeros: {@code num_batches_tracked});
   * a computed buffer's exact value.
   */
  private static Object values(ParamSpec s, SplittableRandom rnd) {
    int n = Math.toIntExact(s.numel());
    if (s.expected() != null) { // a computed buffer holds its exact value
      return s.dtype() == DType.I64 ? s.expected().toLongArray() : s.expected().toFloatArray();
    }
    if (s.dtype() == DType.I64) {
      return new long[n];
    }
    long[] shape = s.torchShape();
    long fanIn = 1;
    for (int i = 1; i < shape.length; i++) {
      fanIn *= shape[i];
    }
    double std = shape.length >= 2 ? 1.0 / Math.sqrt(fanIn) : 0.1;
    boolean positive = s.key().endsWith("running_var");
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      double g = rnd.nextDouble() * 2 - 1 + rnd.nextDouble() * 2 - 1 + rnd.nextDouble() * 2 - 1;
      f[i] = positive ? (float) (0.5 + rnd.nextDouble()) : (float) (g * std);
    }
    if (s.key().endsWith(".weight") && shape.length == 1) {
      for (int i = 0; i < n; i++) {
        f[i] += 1f; // norm gammas around 1
      }
    }
    return f;
  }

  /**
   * TF-layout values for every variable of {@code variableSpec} (derived ones computed from their
   * sources), ready for {@link Weights#assign}.
   */
  public static Map<String, Object> tfLayout(List<ParamSpec> variableSpec, long seed) {
    Map<String, Object> torch = torchLayout(variableSpec, seed);
    Map<String, HostTensor> hosts = new LinkedHashMap<>();
    Map<String, Object> out = new LinkedHashMap<>();
    for (ParamSpec s : variableSpec) {
      if (s.kind() == ParamSpec.Kind.DERIVED) {
        continue;
      }
      Object v = torch.get(s.key());
      if (v instanceof long[] l) {
        out.put(s.key(), l);
        hosts.put(s.key(), HostTensor.ofLongs(s.torchShape(), l));
      } else {
        float[] f = (float[]) v;
        out.put(s.key(), s.layout().toTf(f, s.torchShape()));
        hosts.put(s.key(), HostTensor.ofFloats(s.torchShape(), f));
      }
    }
    for (ParamSpec s : variableSpec) {
      if (s.kind() == ParamSpec.Kind.DERIVED) {
        out.put(s.key(), s.derivation().compute().apply(
            s.derivation().sources().stream().map(hosts::get).toList()));
      }
    }
    return out;
  }
}
