package io.tfhybrid.arch;

/** A family's hyper-parameters (a record per family). It knows how to create its root module. */
public interface ModelConfig {
  int numClasses();

  /** The same configuration with another classifier width (each record narrows the type). */
  ModelConfig withNumClasses(int n);

  /**
   * The same network for inputs of {@code height x width}. Families whose modules do not depend on
   * the input size return this (the module's {@code checkInputSize} rules); families whose
   * construction does (timm's CoAtNet: relative-position windows) return a config built for that
   * size, or throw {@link IllegalArgumentException} naming the sizes they fit.
   */
  default ModelConfig forInputSize(int height, int width) {
    return this;
  }

  /** The root module for this configuration (declares every state_dict key; no TF needed). */
  ClassifierModel createModule();
}
