package io.tfhybrid.cli;

import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.LoadOptions;
import picocli.CommandLine.Option;

/**
 * How {@code convert} and {@code verify} read a checkpoint and choose its model (a picocli mixin):
 * the model id or auto-detection, which state dict of a wrapper dict, the class count, and the
 * build flags that a checkpoint's keys and shapes do not reveal.
 */
final class ModelFlags {
  @Option(
      names = "--model",
      defaultValue = LoadOptions.AUTO,
      paramLabel = "auto|ID",
      description =
          "A variant id (tfhybrid list) or 'auto' to detect family, variant and flags"
              + " from the keys and shapes (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--state-key",
      paramLabel = "K",
      description = "Key of the state dict inside a wrapper dict (e.g. state_dict_ema).")
  String stateKey;

  @Option(names = "--ema", description = "Use the EMA weights of a training checkpoint.")
  boolean ema;

  @Option(
      names = "--num-classes",
      paramLabel = "N",
      description = "Classifier width, when it differs from the variant's.")
  Integer numClasses;

  @Option(
      names = "--pre-norm",
      description =
          "ConTNet only: the checkpoint was trained with pre_norm=True (not visible in its keys"
              + " and shapes; the official default is False).")
  boolean preNorm;

  @Option(
      names = "--gelu",
      paramLabel = "quick|erf",
      converter = Choices.Gelu.class,
      description =
          "CvT only: the MLP activation (not visible in a checkpoint). quick (QuickGELU, the"
              + " default) runs the official model, also from Hugging Face checkpoints (the same"
              + " weights); erf (exact GELU) reproduces Hugging Face's Python CvT outputs.")
  GeluKind gelu;

  @Option(
      names = "--allow-unknown-globals",
      description =
          "Read a pickled checkpoint whose globals are outside the allow-list (tensor rebuilders,"
              + " containers, inert data classes): they become inert placeholders. Such a file"
              + " would import and call them under torch.load; tfhybrid still runs nothing, and"
              + " globals known to run code are refused anyway.")
  boolean allowUnknownGlobals;

  /** The load options these flags state. */
  LoadOptions loadOptions() {
    return LoadOptions.defaults()
        .withModel(model)
        .withEma(ema)
        .withStateKey(stateKey)
        .withNumClasses(numClasses)
        .withPreNorm(preNorm)
        .withGelu(gelu)
        .withAllowUnknownGlobals(allowUnknownGlobals);
  }
}
