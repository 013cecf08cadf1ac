package io.tfhybrid.interop.checkpoint;

/**
 * How {@link Checkpoints#read(java.nio.file.Path, ReadOptions)} picks the state dict out of a
 * checkpoint, and how much it trusts the file.
 *
 * @param stateKey explicit key of the state dict inside a wrapper dict (e.g. {@code
 *     "state_dict_ema"}), or null to search the usual keys. When set it wins over {@code ema}.
 * @param ema prefer the EMA weights ({@code state_dict_ema}, then {@code model_ema}); a file that
 *     holds none is an error, not a silent fallback
 * @param stripModulePrefix strip a {@code module.} prefix that every key carries (DataParallel)
 * @param allowUnknownGlobals let pickle globals outside the allow-list (see {@link Unpickler})
 *     become inert placeholders instead of rejecting the file. Off by default: such a file would
 *     import and call them under {@code torch.load}. Nothing is executed either way, and globals
 *     known to run code ({@code os.system}, {@code builtins.eval}, dotted names, …) are refused
 *     even when this is on. The command line's {@code --allow-unknown-globals}.
 * @param limits memory bounds for what a file declares ({@link ReadLimits#defaults()})
 */
public record ReadOptions(
    String stateKey,
    boolean ema,
    boolean stripModulePrefix,
    boolean allowUnknownGlobals,
    ReadLimits limits) {
  public ReadOptions {
    if (stateKey != null && stateKey.isEmpty()) {
      throw new IllegalArgumentException(
          "stateKey must be null (search the usual keys) or a key name, found an empty string");
    }
    if (limits == null) {
      throw new IllegalArgumentException("limits must not be null; use ReadLimits.defaults()");
    }
  }

  public ReadOptions(String stateKey, boolean ema, boolean stripModulePrefix) {
    this(stateKey, ema, stripModulePrefix, false, ReadLimits.defaults());
  }

  /** No explicit key, no EMA, strip {@code module.}, the allow-list, default limits. */
  public static ReadOptions defaults() {
    return new ReadOptions(null, false, true);
  }

  public ReadOptions withStateKey(String key) {
    return new ReadOptions(key, ema, stripModulePrefix, allowUnknownGlobals, limits);
  }

  /** Prefer the EMA weights. */
  public ReadOptions withEma() {
    return withEma(true);
  }

  public ReadOptions withEma(boolean value) {
    return new ReadOptions(stateKey, value, stripModulePrefix, allowUnknownGlobals, limits);
  }

  public ReadOptions withStripModulePrefix(boolean value) {
    return new ReadOptions(stateKey, ema, value, allowUnknownGlobals, limits);
  }

  /** See {@link #allowUnknownGlobals()}: placeholders instead of a refusal; nothing is run. */
  public ReadOptions withAllowUnknownGlobals(boolean value) {
    return new ReadOptions(stateKey, ema, stripModulePrefix, value, limits);
  }

  public ReadOptions withLimits(ReadLimits value) {
    return new ReadOptions(stateKey, ema, stripModulePrefix, allowUnknownGlobals, value);
  }

  /** True when the options ask for a particular entry of a wrapper dict. */
  boolean selectsWrapperEntry() {
    return stateKey != null || ema;
  }
}
