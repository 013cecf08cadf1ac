package io.tfhybrid.arch.contnet;

import io.tfhybrid.nn.Checks;

/**
 * One stage {@code layer<s>} of a ConTNet as the reference's {@code _make_layer} builds it (spec
 * §2): derived from {@link ContNetConfig#stages()}, not given by hand.
 *
 * @param index 0-based stage index i (the module is {@code layer<i+1>})
 * @param planes width P = inplanes·2^i of every block's input
 * @param blocks number of ConT blocks
 * @param heads attention heads of every STE in the stage
 * @param mlpDim hidden width of every STE's MLP
 * @param patchSize1 patch side of {@code ste1} (7)
 * @param patchSize2 patch side of {@code ste2} (14, or 7 in the last stage)
 * @param stride 2 for every stage but the last, 1 for the last
 * @param last whether this is the last stage
 */
public record ContNetStageConfig(
    int index,
    int planes,
    int blocks,
    int heads,
    int mlpDim,
    int patchSize1,
    int patchSize2,
    int stride,
    boolean last) {

  public ContNetStageConfig {
    Checks.checkArg(
        planes % heads == 0,
        "layer%s: planes (%s) must be divisible by heads (%s)",
        index + 1,
        planes,
        heads);
  }

  /** The stage's module name, {@code layer<i+1>} (layer0 is the stem). */
  public String name() {
    return "layer" + (index + 1);
  }

  /** Output width 2P: the last block of every stage doubles the channels. */
  public int outPlanes() {
    return 2 * planes;
  }

  /** Head dim d = P / heads. */
  public int headDim() {
    return planes / heads;
  }
}
