package io.tfhybrid.arch;

/** A family's hyper-parameters (a record per family). It knows how to create its root module. */
public interface ModelConfig {
  int numClasses();

  /** The root module for this configuration (declares every state_dict key; no TF needed). */
  ClassifierModel createModule();
}
