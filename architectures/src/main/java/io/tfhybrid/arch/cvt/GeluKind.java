package io.tfhybrid.arch.cvt;

import io.tfhybrid.ops.Activations;

/**
 * The MLP activation of every CvT block. The weights do not depend on it; only the forward pass
 * does.
 *
 * <ul>
 *   <li>{@link #QUICK} (the default): use it with official checkpoints ({@code CvT-13-224x224-IN-1k.pth}
 *       and friends) <em>and</em> with Hugging Face checkpoints when you want the model the weights
 *       were trained as. It reproduces the official code (golden parity).
 *   <li>{@link #ERF}: use it only to reproduce the outputs of Hugging Face's Python ports
 *       ({@code CvtForImageClassification}, {@code TFCvtForImageClassification}), which replaced
 *       QuickGELU with the exact GELU; their logits differ from the official model by up to a few
 *       1e-2.
 * </ul>
 */
public enum GeluKind {
  /**
   * QuickGELU {@code z·sigmoid(1.702·z)}: what the official factory {@code get_cls_model} builds
   * (it overrides the module default). Official weights, golden parity.
   */
  QUICK(Activations.Kind.QUICK_GELU),
  /** Exact erf GELU {@code 0.5·z·(1 + erf(z/√2))}: parity with Hugging Face's Python CvT ports. */
  ERF(Activations.Kind.GELU);

  private final Activations.Kind kind;

  GeluKind(Activations.Kind kind) {
    this.kind = kind;
  }

  /** The graph activation. */
  public Activations.Kind kind() {
    return kind;
  }
}
