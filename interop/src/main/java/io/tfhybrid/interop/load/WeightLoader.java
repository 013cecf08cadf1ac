package io.tfhybrid.interop.load;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a {@link StateDict} into a built model's variables. Loading is a name match (the variable
 * is named by the state_dict key) plus a layout conversion ({@link io.tfhybrid.nn.Layout}).
 *
 * <p>Two steps: {@link #check} / {@link #checkAgainst} compare the checkpoint with the model's
 * declared {@link ParamSpec}s (keys, torch shapes, dtypes, computed buffers) without TensorFlow, so
 * it runs before a graph is built; {@link #loadInto(BuiltModel, LoadPlan)} then writes the checked
 * tensors. {@link #loadInto(BuiltModel, StateDict)} does both.
 *
 * <p>Strict by default: one {@link CheckpointMismatchException} lists every missing key,
 * unexpected key, shape mismatch and differing computed buffer. In non-strict mode the same
 * findings become warnings, loadable tensors are loaded and missing ones are zero-filled.
 * fp16/bf16/fp64 weights are converted to float32.
 */
public final class WeightLoader {
  /**
   * Values per session run while assigning: the fed tensors of one run (32 MB) are the only copy
   * of the weights besides the variables, so peak memory stays near one copy of the checkpoint.
   */
  private static final long BATCH_VALUES = 8L << 20;

  private final boolean strict;
  private final List<PathMatcher> allowMissing;
  private final List<PathMatcher> ignoreUnexpected;

  private WeightLoader(Builder b) {
    this.strict = b.strict;
    this.allowMissing = b.allowMissing.stream().map(WeightLoader::glob).toList();
    this.ignoreUnexpected = b.ignoreUnexpected.stream().map(WeightLoader::glob).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Strict loading with no exceptions. */
  public static LoadReport load(BuiltModel model, StateDict stateDict) {
    return builder().build().loadInto(model, stateDict);
  }

  /** Builder for the optional behaviours. */
  public static final class Builder {
    private boolean strict = true;
    private final List<String> allowMissing = new ArrayList<>();
    private final List<String> ignoreUnexpected = new ArrayList<>();

    /** Non-strict: report problems as warnings instead of failing. */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** Keys matching these globs ({@code head.*}) may be absent; they are zero-filled. */
    public Builder allowMissing(String... globs) {
      allowMissing.addAll(Arrays.asList(globs));
      return this;
    }

    /** Checkpoint keys matching these globs are ignored without a warning. */
    public Builder ignoreUnexpected(String... globs) {
      ignoreUnexpected.addAll(Arrays.asList(globs));
      return this;
    }

    public WeightLoader build() {
      return new WeightLoader(this);
    }
  }

  /** Checks {@code sd} against the model and loads it. */
  public LoadReport loadInto(BuiltModel model, StateDict sd) {
    return loadInto(model, checkAgainst(model.name(), model.root(), sd));
  }

  /**
   * Strict {@link #checkAgainst}: compares a checkpoint with a model's declarations, with no graph
   * and no TensorFlow, so a wrong checkpoint fails in milliseconds.
   *
   * @throws CheckpointMismatchException listing every problem
   */
  public static LoadPlan check(String modelName, ClassifierModel root, StateDict sd) {
    return builder().build().checkAgainst(modelName, root, sd);
  }

  /**
   * Compares {@code sd} with what {@code root} declares — keys, torch shapes, dtypes, the values
   * of computed buffers — without building anything: the check a load makes first, callable
   * before the graph exists. Non-strict, the problems become the plan's warnings.
   *
   * @param modelName the variant id, for messages
   * @throws CheckpointMismatchException listing every problem (strict, or a checkpoint the family
   *     recognises as unsupported)
   */
  public LoadPlan checkAgainst(String modelName, ClassifierModel root, StateDict sd) {
    List<ParamSpec> specs = root.stateDictSpec();
    Map<String, ParamSpec> byKey = new LinkedHashMap<>();
    specs.forEach(s -> byKey.put(s.key(), s));
    Set<String> derivedKeys = derivedKeys(root);

    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> notes = new ArrayList<>(sd.notes());
    Map<DType, Integer> widened = new TreeMap<>();

    for (ParamSpec spec : specs) {
      if (!sd.contains(spec.key())) {
        if (!matches(allowMissing, spec.key())) {
          missing.add("missing '" + spec.key() + "' " + Checks.shape(spec.torchShape()));
        }
        continue;
      }
      HostTensor t = sd.get(spec.key());
      if (!Arrays.equals(t.shape(), spec.torchShape())) {
        mismatched.add("size mismatch '" + spec.key() + "': expected " + Checks.shape(spec.torchShape())
            + ", found " + Checks.shape(t.shape()));
        continue;
      }
      if (spec.dtype() == DType.I64) {
        if (t.dtype().isFloating()) {
          mismatched.add("dtype mismatch '" + spec.key() + "': expected an integer tensor, found "
              + t.dtype().torchName());
          continue;
        }
        if (spec.expected() != null) {
          String diff = firstDifference(spec.expected().toLongArray(), t.toLongArray());
          if (diff != null) {
            mismatched.add("computed buffer '" + spec.key() + "' differs from the checkpoint: " + diff);
          }
        }
      } else if (!t.dtype().isFloating()) {
        mismatched.add("dtype mismatch '" + spec.key() + "': expected a floating-point tensor, found "
            + t.dtype().torchName());
      } else if (t.dtype() != DType.F32) {
        widened.merge(t.dtype(), 1, Integer::sum);
      }
    }
    for (String key : sd.keys()) {
      if (byKey.containsKey(key) || matches(ignoreUnexpected, key)) {
        continue;
      }
      if (derivedKeys.contains(key)) {
        notes.add("skipped '" + key + "': a derived variable the model recomputes on load");
        continue;
      }
      unexpected.add("unexpected '" + key + "' " + Checks.shape(sd.get(key).shape()));
    }

    List<String> problems = new ArrayList<>();
    problems.addAll(mismatched);
    problems.addAll(missing);
    problems.addAll(unexpected);
    List<String> warnings = new ArrayList<>();
    if (!problems.isEmpty()) {
      // A release the family recognises as unsupported fails even when not strict: zero-filling
      // nearly every tensor would give a model that silently computes nonsense.
      Optional<String> unsupported = root.unsupportedCheckpoint(sd.shapes());
      if (strict || unsupported.isPresent()) {
        throw mismatch(modelName, root, sd, problems, unsupported);
      }
      warnings.addAll(problems);
    }
    widened.forEach((dt, n) -> notes.add(n + " " + dt.torchName() + " tensors converted to float32"));
    return new LoadPlan(sd.source(), modelName, root, sd, notes, warnings);
  }

  /**
   * Writes a checked checkpoint into the variables of {@code model}, which must declare what the
   * plan was checked against (normally it was built from {@link LoadPlan#root()}). Each tensor is
   * read once, straight into the TF tensor that feeds its variable (see {@link
   * io.tfhybrid.nn.Weights#load}); a file that can no longer be read as it was parsed (truncated or
   * replaced since) is an {@link java.io.UncheckedIOException} around the {@link
   * io.tfhybrid.interop.checkpoint.CheckpointFormatException} that names it.
   */
  public LoadReport loadInto(BuiltModel model, LoadPlan plan) {
    List<ParamSpec> specs = model.stateDictSpec();
    if (model.root() != plan.root() && !sameDeclarations(specs, plan.specs())) {
      throw new IllegalArgumentException("the load plan for '" + plan.model()
          + "' was checked against another model's declarations than '" + model.name() + "' has");
    }
    StateDict sd = plan.stateDict();
    long values = assign(model, sd, specs);
    int loaded = (int) specs.stream().filter(s -> sd.contains(s.key())).count();
    return new LoadReport(plan.source(), model.name(), loaded, values, plan.notes(), plan.warnings());
  }

  private static boolean sameDeclarations(List<ParamSpec> a, List<ParamSpec> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      ParamSpec x = a.get(i);
      ParamSpec y = b.get(i);
      if (!x.key().equals(y.key()) || !Arrays.equals(x.torchShape(), y.torchShape())
          || x.dtype() != y.dtype() || x.layout() != y.layout()) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> derivedKeys(ClassifierModel root) {
    Set<String> derivedKeys = new LinkedHashSet<>();
    for (ParamSpec v : root.variableSpec()) {
      if (v.kind() == ParamSpec.Kind.DERIVED) {
        derivedKeys.add(v.key());
      }
    }
    return derivedKeys;
  }

  private static CheckpointMismatchException mismatch(String modelName, ClassifierModel root,
      StateDict sd, List<String> problems, Optional<String> unsupported) {
    StringBuilder msg = new StringBuilder();
    msg.append("Cannot load checkpoint '").append(fileName(sd.source())).append("' into ")
        .append(root.arch().displayName()).append(" '").append(modelName).append('\'');
    int limit = Integer.MAX_VALUE; // like load_state_dict: every problem, not a sample
    if (unsupported.isPresent()) {
      // The verdict leads; the key-by-key list would only bury it (all of it is in problems()).
      limit = 5;
      msg.append(": ").append(unsupported.get()).append(" (").append(problems.size())
          .append(problems.size() == 1 ? " problem" : " problems")
          .append(problems.size() > limit ? ", the first " + limit + " shown):" : "):");
    } else {
      msg.append(" (").append(problems.size())
          .append(problems.size() == 1 ? " problem):" : " problems):");
    }
    int shown = 0;
    for (String p : problems) {
      if (shown++ == limit) {
        msg.append("\n  … and ").append(problems.size() - limit).append(" more");
        break;
      }
      msg.append("\n  ").append(p);
    }
    for (String hint : root.diagnose(sd.shapes())) {
      msg.append("\nHint: ").append(hint);
    }
    return new CheckpointMismatchException(msg.toString(), problems);
  }

  private static long assign(BuiltModel model, StateDict sd, List<ParamSpec> specs) {
    long total = 0;
    Map<String, HostTensor> batch = new LinkedHashMap<>();
    long inBatch = 0;
    try {
      for (ParamSpec spec : specs) {
        // Lazy tensors are read here, straight into the fed TF tensor; nothing stays on the heap.
        batch.put(spec.key(), sd.contains(spec.key()) ? sd.get(spec.key()) : zeros(spec));
        inBatch += spec.numel();
        total += spec.numel();
        if (inBatch >= BATCH_VALUES) {
          model.weights().load(model.session(), batch);
          batch.clear();
          inBatch = 0;
        }
      }
      if (!batch.isEmpty()) {
        model.weights().load(model.session(), batch);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Derived variables: computed once here from their sources, never per call.
    Map<String, Object> derived = new LinkedHashMap<>();
    Map<String, HostTensor> sources = new HashMap<>();
    for (ParamSpec v : model.root().variableSpec()) {
      if (v.kind() != ParamSpec.Kind.DERIVED) {
        continue;
      }
      List<HostTensor> in = new ArrayList<>();
      for (String src : v.derivation().sources()) {
        in.add(sources.computeIfAbsent(src, k -> sd.contains(k) ? sd.get(k) : zeros(specFor(specs, k))));
      }
      derived.put(v.key(), v.derivation().compute().apply(in));
    }
    if (!derived.isEmpty()) {
      model.weights().assign(model.session(), derived);
    }
    return total;
  }

  private static ParamSpec specFor(List<ParamSpec> specs, String key) {
    return specs.stream().filter(s -> s.key().equals(key)).findFirst()
        .orElseThrow(() -> new IllegalStateException("derived source '" + key + "' is not declared"));
  }

  private static HostTensor zeros(ParamSpec spec) {
    int n = Math.toIntExact(spec.numel());
    return spec.dtype() == DType.I64 ? HostTensor.ofLongs(spec.torchShape(), new long[n])
        : HostTensor.ofFloats(spec.torchShape(), new float[n]);
  }

  private static String firstDifference(long[] expected, long[] found) {
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != found[i]) {
        return "at flat index " + i + " expected " + expected[i] + ", found " + found[i];
      }
    }
    return null;
  }

  private static PathMatcher glob(String pattern) {
    return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
  }

  private static boolean matches(List<PathMatcher> globs, String key) {
    if (globs.isEmpty()) {
      return false;
    }
    Path p = Path.of(key);
    return globs.stream().anyMatch(m -> m.matches(p));
  }

  private static String fileName(String source) {
    int slash = source.lastIndexOf('/');
    return slash < 0 ? source : source.substring(slash + 1);
  }
}
