package io.tfhybrid.nn;

import io.tfhybrid.ops.Activations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A PyTorch-style module: an immutable value whose hyper-parameters, children and declared tensors
 * are fixed in its constructor. Children are registered under their verbatim PyTorch attribute
 * name, so the path of every declared tensor is its {@code state_dict} key. Tensors are only
 * declared here; TF variables are created when a graph is built ({@link Weights}), so key lists and
 * parameter counts need no TensorFlow.
 */
public abstract class Module {
  private final Map<String, Module> children = new LinkedHashMap<>();
  private final Map<Module, String> names = new IdentityHashMap<>();
  private final Map<String, ParamSpec> params = new LinkedHashMap<>();

  /** Registers a child under its PyTorch attribute name (or Sequential index). */
  protected final <M extends Module> M child(String name, M module) {
    Checks.checkArg(module != null, "%s: child '%s' is null", getClass().getSimpleName(), name);
    checkSegment(name);
    Checks.checkArg(!children.containsKey(name) && !params.containsKey(name),
        "%s: name '%s' registered twice", getClass().getSimpleName(), name);
    Checks.checkArg(!names.containsKey(module),
        "%s: the same module instance is registered twice ('%s' and '%s')",
        getClass().getSimpleName(), names.get(module), name);
    children.put(name, module);
    names.put(module, name);
    return module;
  }

  /** Declares a learnable parameter in torch shape. */
  protected final ParamSpec param(String name, Layout layout, long... torchShape) {
    return declare(new ParamSpec(name, torchShape, layout, DType.F32, ParamSpec.Kind.PARAMETER, 0, null, null));
  }

  /** Declares a depthwise conv weight {@code [C·m, 1, kh, kw]} with C input channels. */
  protected final ParamSpec depthwiseParam(String name, long channels, long... torchShape) {
    return declare(new ParamSpec(name, torchShape, Layout.DEPTHWISE, DType.F32,
        ParamSpec.Kind.PARAMETER, channels, null, null));
  }

  /** Declares a persistent buffer that is loaded as stored (running statistics, counters). */
  protected final ParamSpec buffer(String name, DType dtype, long... torchShape) {
    return declare(new ParamSpec(name, torchShape, Layout.AS_IS, dtype, ParamSpec.Kind.BUFFER, 0, null, null));
  }

  /**
   * Declares a persistent buffer whose value the model computes (e.g. a relative-position index).
   * The loader compares the checkpoint's value with {@code expected} and fails on a difference.
   */
  protected final ParamSpec computedBuffer(String name, HostTensor expected) {
    return declare(new ParamSpec(name, expected.shape(), Layout.AS_IS, expected.dtype(),
        ParamSpec.Kind.BUFFER, 0, expected, null));
  }

  /**
   * Declares a variable that is not in the state_dict but computed once at load time from
   * entries of this module ({@code sources} are local names).
   */
  protected final ParamSpec derived(String name, long[] tfShape, List<String> sources,
      java.util.function.Function<List<HostTensor>, float[]> compute) {
    return declare(new ParamSpec(name, tfShape, Layout.AS_IS, DType.F32, ParamSpec.Kind.DERIVED, 0,
        null, new ParamSpec.Derivation(sources, compute)));
  }

  private ParamSpec declare(ParamSpec spec) {
    checkSegment(spec.key());
    Checks.checkArg(!params.containsKey(spec.key()) && !children.containsKey(spec.key()),
        "%s: name '%s' declared twice", getClass().getSimpleName(), spec.key());
    params.put(spec.key(), spec);
    return spec;
  }

  private static void checkSegment(String name) {
    Checks.checkArg(name != null && name.matches("[A-Za-z0-9_\\-]+"),
        "module/parameter name '%s' must match [A-Za-z0-9_-]+ (dots are added by the path)", name);
  }

  /** Emits this module's ops. {@code ctx} is already scoped to this module's path. */
  protected abstract Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x);

  /**
   * Runs a registered child under its own name, so the graph path equals the key path, and records
   * its output as the capture of that path.
   */
  protected final Operand<TFloat32> call(Module child, Ctx ctx, Operand<TFloat32> x) {
    String name = names.get(child);
    if (name == null) {
      throw new IllegalStateException(getClass().getSimpleName()
          + " calls a child that was never registered with child(name, module)");
    }
    Ctx inner = ctx.enter(name);
    Operand<TFloat32> y = child.forward(inner, x);
    inner.recordOutput(y);
    return y;
  }

  /**
   * As {@link #call}, for a child that runs in a cheaper layout than its reference's: the capture
   * recorded for it is {@code asReference} of its output (an op that runs only when fetched), e.g.
   * ConTNet's attention, which works on the whole map while the reference's output is per patch.
   */
  protected final Operand<TFloat32> call(Module child, Ctx ctx, Operand<TFloat32> x,
      UnaryOperator<Operand<TFloat32>> asReference) {
    Ctx inner = ctx.enter(nameOf(child));
    Operand<TFloat32> y = child.forward(inner, x);
    inner.recordOutput(asReference.apply(y));
    return y;
  }

  /**
   * Runs child {@code conv} (a pointwise {@link Conv2d}) and then child {@code norm} on its output
   * as one {@link Dense} with the norm folded into its filter and bias ({@link
   * Conv2d#forwardWithNorm}). Both paths are entered and recorded as by two {@link #call}s: the
   * convolution's own output stays a capture (an unfused op that runs only when fetched).
   */
  protected final Operand<TFloat32> callPointwiseNorm(Conv2d conv, BatchNorm2d norm, Ctx ctx,
      Operand<TFloat32> x) {
    Ctx convCtx = ctx.enter(nameOf(conv));
    Ctx normCtx = ctx.enter(nameOf(norm));
    convCtx.recordOutput(conv.forward(convCtx, x));
    Operand<TFloat32> y = conv.forwardWithNorm(convCtx, x, norm.state().affine(normCtx));
    normCtx.recordOutput(y);
    return y;
  }

  /**
   * This module's output times one half, when it can emit that exactly (its output is linear in
   * weights and biases that halve without rounding, so every rounding step of the forward pass just
   * halves); else null, the default. Lets a following GELU skip its final {@code ·0.5} ({@link
   * #callThenGelu}).
   */
  protected Operand<TFloat32> forwardHalf(Ctx ctx, Operand<TFloat32> x) {
    return null;
  }

  /**
   * Runs child {@code m} and an exact GELU on its output, as {@link #call} then {@link
   * Activations#gelu} (or then child {@code act}, a GELU {@link Act}, when not null). When {@code
   * m} emits its output halved ({@link #forwardHalf}) the GELU takes the half ({@link
   * Activations#geluOfHalf}): the same values with one pass fewer. {@code m}'s own output then
   * stays a capture (an op that runs only when fetched).
   */
  protected final Operand<TFloat32> callThenGelu(Module m, Act act, Ctx ctx, Operand<TFloat32> x) {
    Checks.checkArg(act == null || act.kind() == Activations.Kind.GELU, "%s: %s is not a GELU",
        getClass().getSimpleName(), act == null ? null : act.kind());
    Ctx mCtx = ctx.enter(nameOf(m));
    Operand<TFloat32> half = m.forwardHalf(mCtx, x);
    Operand<TFloat32> out = m.forward(mCtx, x);
    mCtx.recordOutput(out);
    if (half == null) {
      return act == null ? Activations.gelu(ctx.tf(), out) : call(act, ctx, out);
    }
    Operand<TFloat32> y = Activations.geluOfHalf(ctx.tf(), half);
    if (act != null) {
      ctx.enter(nameOf(act)).recordOutput(y);
    }
    return y;
  }

  /** The registered name of a child (for modules that build their own sub-contexts). */
  protected final String nameOf(Module child) {
    String name = names.get(child);
    Checks.checkState(name != null, "%s: child not registered", getClass().getSimpleName());
    return name;
  }

  /** Children in registration (PyTorch) order. */
  public final Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  /** This module's own declared tensors (local names), in declaration order. */
  public final List<ParamSpec> ownSpecs() {
    return List.copyOf(params.values());
  }

  /**
   * Every parameter and buffer key below this module, with full keys, in PyTorch
   * {@code state_dict} order: a module's own parameters, then its own buffers, then each child
   * in registration order.
   */
  public final List<ParamSpec> stateDictSpec() {
    List<ParamSpec> out = new ArrayList<>();
    collect("", out, false);
    return out;
  }

  /**
   * {@link #stateDictSpec()} as a checkpoint lists it: key → torch shape, in {@code state_dict}
   * order (what {@code diagnose} and the variant inference read).
   */
  public final Map<String, long[]> stateDictShapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (ParamSpec p : stateDictSpec()) {
      out.put(p.key(), p.torchShape());
    }
    return out;
  }

  /** Whether the state_dict has exactly these keys (no more, no fewer) with these torch shapes. */
  public final boolean declaresExactly(Map<String, long[]> shapes) {
    List<ParamSpec> spec = stateDictSpec();
    if (spec.size() != shapes.size()) {
      return false;
    }
    for (ParamSpec p : spec) {
      long[] found = shapes.get(p.key());
      if (found == null || !Arrays.equals(found, p.torchShape())) {
        return false;
      }
    }
    return true;
  }

  /** Everything that becomes a TF variable: the state_dict entries plus derived variables. */
  public final List<ParamSpec> variableSpec() {
    List<ParamSpec> out = new ArrayList<>();
    collect("", out, true);
    return out;
  }

  private void collect(String prefix, List<ParamSpec> out, boolean withDerived) {
    for (ParamSpec p : params.values()) {
      if (p.kind() == ParamSpec.Kind.PARAMETER) {
        out.add(p.withPrefix(prefix));
      }
    }
    for (ParamSpec p : params.values()) {
      if (p.kind() == ParamSpec.Kind.BUFFER || (withDerived && p.kind() == ParamSpec.Kind.DERIVED)) {
        out.add(p.withPrefix(prefix));
      }
    }
    for (Map.Entry<String, Module> e : children.entrySet()) {
      e.getValue().collect(prefix + e.getKey() + ".", out, withDerived);
    }
  }

  /** Sum of parameter element counts (buffers excluded), as PyTorch's {@code numel} sum. */
  public final long parameterCount() {
    long n = 0;
    for (ParamSpec p : stateDictSpec()) {
      if (p.kind() == ParamSpec.Kind.PARAMETER) {
        n += p.numel();
      }
    }
    return n;
  }
}
