package io.tfhybrid.nn;

import java.util.List;
import java.util.function.Function;

/**
 * One declared tensor of a module. Inside a module {@link #key} is the local name
 * ({@code "weight"}); {@link Module#stateDictSpec()} returns copies whose key is the full
 * state_dict key ({@code "stages.0.blocks.1.attn.qkv.weight"}).
 *
 * @param key local or full name (see above)
 * @param torchShape the shape as the checkpoint stores it
 * @param layout how the TF variable is laid out relative to the torch tensor
 * @param dtype F32 for floats, I64 for index buffers and {@code num_batches_tracked}
 * @param kind parameter, buffer or derived
 * @param depthwiseChannels channel count C for {@link Layout#DEPTHWISE}, else 0
 * @param expected for buffers the model can compute (relative-position indices): the exact
 *     value a checkpoint must contain; null otherwise
 * @param derivation for {@link Kind#DERIVED}: how to compute the TF-layout value from other
 *     entries; null otherwise
 */
public record ParamSpec(
    String key,
    long[] torchShape,
    Layout layout,
    DType dtype,
    Kind kind,
    long depthwiseChannels,
    HostTensor expected,
    Derivation derivation) {

  /** What a declared tensor is. */
  public enum Kind {
    /** A learnable {@code nn.Parameter}: counted in the parameter count, in the state_dict. */
    PARAMETER,
    /** A persistent buffer: in the state_dict, not counted as a parameter. */
    BUFFER,
    /**
     * Not in the state_dict: a TF variable computed from other entries once at load time (for
     * example a relative-position bias gathered from its table), so no per-call work remains.
     */
    DERIVED
  }

  /** Computes a derived variable's TF-layout data from its source entries (torch layout). */
  public record Derivation(List<String> sources, Function<List<HostTensor>, float[]> compute) {
    public Derivation {
      sources = List.copyOf(sources);
    }
  }

  public ParamSpec {
    torchShape = torchShape.clone();
    Checks.checkArg(kind != Kind.DERIVED || derivation != null, "derived '%s' needs a derivation", key);
  }

  /** The TF variable's shape. */
  public long[] tfShape() {
    return layout.tfShape(torchShape, depthwiseChannels);
  }

  public long numel() {
    return HostTensor.numel(torchShape);
  }

  /** True for entries that appear in a PyTorch state_dict (parameters and buffers). */
  public boolean inStateDict() {
    return kind != Kind.DERIVED;
  }

  @Override
  public long[] torchShape() {
    return torchShape.clone();
  }

  /** Same declaration under another (full) key; derivation sources are re-rooted too. */
  ParamSpec withPrefix(String prefix) {
    Derivation d = derivation == null ? null
        : new Derivation(derivation.sources().stream().map(s -> prefix + s).toList(), derivation.compute());
    return new ParamSpec(prefix + key, torchShape, layout, dtype, kind, depthwiseChannels, expected, d);
  }

  @Override
  public String toString() {
    return "'" + key + "' " + Checks.shape(torchShape) + (dtype == DType.F32 ? "" : " " + dtype.torchName());
  }
}
