package io.tfhybrid.nn;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The build context of one module: TF ops scoped to the module's path ({@code stages/0/attn}),
 * the module's key prefix ({@code stages.0.attn.}), the model's variables and the record of
 * module outputs (captures), and the token grid of the tokens it runs on, when an enclosing module
 * set one.
 */
public final class Ctx {
  private final Ops tf;
  private final String path;
  private final Weights weights;
  private final Shared shared;
  private final TokenGrid grid; // null when no enclosing module set one

  /** State shared by every Ctx of one graph build. */
  private static final class Shared {
    final Set<String> entered = new HashSet<>();
    final Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
  }

  private Ctx(Ops tf, String path, Weights weights, Shared shared, TokenGrid grid) {
    this.tf = tf;
    this.path = path;
    this.weights = weights;
    this.shared = shared;
    this.grid = grid;
  }

  /** The root context of a model whose variables live in {@code weights}. */
  public static Ctx root(Ops tf, Weights weights) {
    return new Ctx(tf, "", weights, new Shared(), null);
  }

  /** Ops scoped to this module's path. */
  public Ops tf() {
    return tf;
  }

  /** The module path as a state_dict prefix without the trailing dot ("" at the root). */
  public String path() {
    return path;
  }

  /** Context of the child {@code name}; entering the same path twice is a bug and fails. */
  public Ctx enter(String name) {
    String childPath = path.isEmpty() ? name : path + "." + name;
    Checks.checkState(shared.entered.add(childPath),
        "module path '%s' entered twice while building the graph (a module must run once)", childPath);
    return new Ctx(tf.withSubScope(name), childPath, weights, shared, grid);
  }

  /**
   * This context, for modules that run on tokens laid out on {@code grid}: every context entered
   * from it carries the grid (e.g. a stage sets it once for all its transformer blocks).
   */
  public Ctx withTokenGrid(TokenGrid grid) {
    Checks.checkArg(grid != null, "token grid of '%s' is null", path);
    return new Ctx(tf, path, weights, shared, grid);
  }

  /**
   * The token grid an enclosing module set with {@link #withTokenGrid}.
   *
   * @throws IllegalStateException when none did: a token module was wired outside a module that
   *     knows its grid (a bug of the model code, not of the input)
   */
  public TokenGrid tokenGrid() {
    Checks.checkState(grid != null, "module '%s' runs on tokens, but no enclosing module set the"
        + " token grid (Ctx.withTokenGrid)", path);
    return grid;
  }

  /** Full key of a local name declared by this context's module. */
  public String keyOf(ParamSpec local) {
    return path.isEmpty() ? local.key() : path + "." + local.key();
  }

  /** The float variable of a declared parameter, buffer or derived tensor, in TF layout. */
  public Operand<TFloat32> read(ParamSpec local) {
    return weights.floatVariable(keyOf(local));
  }

  /** The int64 variable of a declared integer buffer. */
  public Operand<TInt64> readLong(ParamSpec local) {
    return weights.longVariable(keyOf(local));
  }

  /** Records {@code x} as the output of this module path (what the fixtures call feature.PATH). */
  void recordOutput(Operand<TFloat32> x) {
    shared.outputs.put(path, x);
  }

  /**
   * Records an intermediate tensor under {@code path + "." + name}, for captures that are not the
   * output of a registered child (e.g. an attention output in token layout).
   */
  public Operand<TFloat32> capture(String name, Operand<TFloat32> x) {
    shared.outputs.put(path.isEmpty() ? name : path + "." + name, x);
    return x;
  }

  /** Every recorded module output, keyed by module path, in the order they were built. */
  public Map<String, Operand<TFloat32>> outputs() {
    return java.util.Collections.unmodifiableMap(shared.outputs);
  }
}
