package io.tfhybrid.interop;

/**
 * The stages of {@link TfHybrid#convert(java.nio.file.Path, java.nio.file.Path, LoadOptions,
 * ExportOptions, ConvertListener)}, in order; {@link ConvertListener#stage} hears each as it
 * starts.
 */
public enum ConvertStage {
  /** Reading the checkpoint's tensors ({@link TfHybrid#read}). */
  READ,
  /** Choosing the model: detection or the id ({@link TfHybrid#choose}). */
  CHOOSE,
  /** Comparing keys, shapes, dtypes and computed buffers with the declarations (no graph yet). */
  CHECK,
  /** Building the model's graph and variables. */
  BUILD,
  /** Loading the tensors into the variables. */
  LOAD,
  /** Adding the serving graph (one emission of the model) and stating the signatures. */
  SIGNATURES,
  /** Writing {@code saved_model.pb} and {@code variables/}. */
  SAVE,
  /** Writing the warm-up requests. */
  WARMUP,
  /** Writing {@code assets.extra/tfhybrid.json}. */
  METADATA,
  /** Renaming the staging directory into place. */
  MOVE;

  /** The export's step (1-based, {@link io.tfhybrid.interop.serving.SavedModelExport.Listener}). */
  static ConvertStage ofExportStep(int step) {
    return values()[SIGNATURES.ordinal() + step - 1];
  }
}
