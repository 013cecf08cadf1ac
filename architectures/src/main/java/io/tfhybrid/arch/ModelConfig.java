package io.tfhybrid.arch;

/** A family's hyper-parameters (a record per family). It knows how to create its root module. */
public interface ModelConfig {
  int numClasses();

  /** The same configuration with another classifier width (each record narrows the type). */
  ModelConfig withNumClasses(int n);

  /** The root module for this configuration (declares every state_dict key; no TF needed). */
  ClassifierModel createModule();
}
