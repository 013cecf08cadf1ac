package io.tfhybrid.interop;

import io.tfhybrid.interop.serving.SavedModelExport;

/**
 * How {@link LoadedModel#export} writes a version: the same choices as {@code tfhybrid convert}'s
 * {@code --version}, {@code --overwrite} and {@code --no-warmup}. A version always appears
 * atomically (written to a hidden staging directory beside it, then renamed into place).
 *
 * @param version a positive version number, or null for the next integer after the existing ones
 * @param overwrite replace an existing version (default: refuse)
 * @param warmup write {@code assets.extra/tf_serving_warmup_requests} (default: yes)
 * @param listener export progress, step by step
 */
public record ExportOptions(
    Long version, boolean overwrite, boolean warmup, SavedModelExport.Listener listener) {

  /** Checks the version; a null listener ignores progress. */
  public ExportOptions {
    if (version != null && version < 1) {
      throw new TfHybridException(
          "--version '" + version + "'",
          "a positive integer or 'auto'",
          "'" + version + "'",
          "TF Serving serves the directory with the largest number");
    }
    listener = listener == null ? (i, n, what) -> {} : listener;
  }

  /** The next version, never overwrite, with warm-up requests. */
  public static ExportOptions defaults() {
    return new ExportOptions(null, false, true, null);
  }

  /** A fixed version number (null: the next integer). */
  public ExportOptions withVersion(Long v) {
    return new ExportOptions(v, overwrite, warmup, listener);
  }

  /** Replace an existing version. */
  public ExportOptions withOverwrite(boolean value) {
    return new ExportOptions(version, value, warmup, listener);
  }

  /** Write (default) or skip the TF Serving warm-up requests. */
  public ExportOptions withWarmup(boolean value) {
    return new ExportOptions(version, overwrite, value, listener);
  }

  /** Progress of the export steps. */
  public ExportOptions withListener(SavedModelExport.Listener l) {
    return new ExportOptions(version, overwrite, warmup, l);
  }
}
