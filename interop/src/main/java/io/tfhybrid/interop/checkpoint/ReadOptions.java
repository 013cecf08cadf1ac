package io.tfhybrid.interop.checkpoint;

/**
 * How {@link Checkpoints#read(java.nio.file.Path, ReadOptions)} picks the state dict out of a
 * checkpoint.
 *
 * @param stateKey explicit key of the state dict inside a wrapper dict (e.g. {@code
 *     "state_dict_ema"}), or null to search the usual keys. When set it wins over {@code ema}.
 * @param ema prefer the EMA weights ({@code state_dict_ema}, then {@code model_ema}); a file that
 *     holds none is an error, not a silent fallback
 * @param stripModulePrefix strip a {@code module.} prefix that every key carries (DataParallel)
 */
public record ReadOptions(String stateKey, boolean ema, boolean stripModulePrefix) {
  public ReadOptions {
    if (stateKey != null && stateKey.isEmpty()) {
      throw new IllegalArgumentException(
          "stateKey must be null (search the usual keys) or a key name, found an empty string");
    }
  }

  /** No explicit key, no EMA, strip {@code module.}. */
  public static ReadOptions defaults() {
    return new ReadOptions(null, false, true);
  }

  public ReadOptions withStateKey(String key) {
    return new ReadOptions(key, ema, stripModulePrefix);
  }

  /** Prefer the EMA weights. */
  public ReadOptions withEma() {
    return withEma(true);
  }

  public ReadOptions withEma(boolean value) {
    return new ReadOptions(stateKey, value, stripModulePrefix);
  }

  public ReadOptions withStripModulePrefix(boolean value) {
    return new ReadOptions(stateKey, ema, value);
  }

  /** True when the options ask for a particular entry of a wrapper dict. */
  boolean selectsWrapperEntry() {
    return stateKey != null || ema;
  }
}
