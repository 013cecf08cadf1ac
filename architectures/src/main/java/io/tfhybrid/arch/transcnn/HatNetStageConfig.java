package io.tfhybrid.arch.transcnn;

import io.tfhybrid.nn.Checks;

/**
 * One stage of TransCNN / HAT-Net ({@code blocks.S} plus the downsample into it): the reference's
 * per-stage list entries {@code dims[S]}, {@code depths[S]}, {@code expansions[S]},
 * {@code grid_sizes[S]}, {@code ds_ratios[S]} and {@code kernel_sizes[S]}.
 *
 * @param dim channels of the stage ({@code dims[S]})
 * @param depth number of blocks ({@code depths[S]}; 0 is legal, as in the reference)
 * @param expansion inverted-residual hidden width is {@code dim * expansion}
 * @param gridSize window side G of the local attention level; 1 means plain global attention
 *     (no local level, no pooling)
 * @param dsRatio kernel = stride of the average pooling that makes the global level's keys and
 *     values; only used when {@code gridSize > 1}
 * @param kernelSize depthwise kernel of the inverted residual (odd, padded to keep the size)
 */
public record HatNetStageConfig(int dim, int depth, int expansion, int gridSize, int dsRatio,
    int kernelSize) {

  public HatNetStageConfig {
    Checks.positive(dim, "dim");
    Checks.nonNegative(depth, "depth");
    Checks.positive(expansion, "expansion");
    Checks.positive(gridSize, "grid_size");
    Checks.positive(dsRatio, "ds_ratio");
    Checks.positive(kernelSize, "kernel_size");
    // The reference pads (k - 1) // 2, so an even kernel changes the map size and the block's
    // residual add fails there; reject it here instead.
    Checks.checkArg(kernelSize % 2 == 1, "kernel_size must be odd (the depthwise conv pads"
        + " (k-1)/2 and must keep the map size), found %s", kernelSize);
  }

  /** Inverted-residual hidden width {@code dim * expansion}. */
  public int hiddenDim() {
    return dim * expansion;
  }

  /** Whether the stage's attention has the local window level and the pooled global level. */
  public boolean hierarchical() {
    return gridSize > 1;
  }

  public HatNetStageConfig withDepth(int newDepth) {
    return new HatNetStageConfig(dim, newDepth, expansion, gridSize, dsRatio, kernelSize);
  }
}
