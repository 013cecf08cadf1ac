package io.tfhybrid.golden;

import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checkpoints the loading tests write themselves (another variant's keys and shapes, other build
 * flags), and the problems a strict load of one must report, computed from the two key lists.
 */
final class SyntheticCheckpoints {
  private SyntheticCheckpoints() {}

  /**
   * A state dict with every entry of {@code specs}: random floats in [-0.5, 0.5), computed buffers
   * exact, other integer buffers zero.
   */
  static StateDict random(String source, List<ParamSpec> specs, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
    for (ParamSpec s : specs) {
      int n = Math.toIntExact(s.numel());
      if (s.dtype() == DType.I64) {
        tensors.put(
            s.key(),
            s.expected() != null ? s.expected() : HostTensor.ofLongs(s.torchShape(), new long[n]));
      } else {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = (float) (r.nextDouble() - 0.5);
        }
        tensors.put(s.key(), HostTensor.ofFloats(s.torchShape(), f));
      }
    }
    return StateDict.of(source, tensors, List.of());
  }

  /**
   * The problems a strict load must report, in the loader's order (size mismatches, then missing
   * keys, then unexpected keys), from the two key/shape lists.
   */
  static List<String> expectedProblems(List<ParamSpec> model, StateDict sd) {
    List<String> mismatched = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    LinkedHashMap<String, ParamSpec> byKey = new LinkedHashMap<>();
    for (ParamSpec s : model) {
      byKey.put(s.key(), s);
      if (!sd.contains(s.key())) {
        missing.add("missing '" + s.key() + "' " + Checks.shape(s.torchShape()));
      } else if (!Arrays.equals(sd.get(s.key()).shape(), s.torchShape())) {
        mismatched.add(
            "size mismatch '"
                + s.key()
                + "': expected "
                + Checks.shape(s.torchShape())
                + ", found "
                + Checks.shape(sd.get(s.key()).shape()));
      }
    }
    for (String k : sd.keys()) {
      if (!byKey.containsKey(k)) {
        unexpected.add("unexpected '" + k + "' " + Checks.shape(sd.get(k).shape()));
      }
    }
    List<String> all = new ArrayList<>(mismatched);
    all.addAll(missing);
    all.addAll(unexpected);
    return all;
  }
}
