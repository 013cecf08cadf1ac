package io.tfhybrid.interop.cli;

import picocli.CommandLine.Option;

/**
 * Build flags that a checkpoint's keys and shapes do not reveal, shared by {@code convert} and
 * {@code verify} (a picocli mixin).
 */
final class ModelFlags {
  @Option(
      names = "--pre-norm",
      description =
          "ConTNet only: the checkpoint was trained with pre_norm=True (not visible in its keys"
              + " and shapes; the official default is False).")
  boolean preNorm;

  @Option(
      names = "--gelu",
      paramLabel = "quick|erf",
      description =
          "CvT only: the MLP activation (not visible in a checkpoint). quick (QuickGELU, the"
              + " default) runs the official model, also from Hugging Face checkpoints (the same"
              + " weights); erf (exact GELU) reproduces Hugging Face's Python CvT outputs.")
  String gelu;
}
