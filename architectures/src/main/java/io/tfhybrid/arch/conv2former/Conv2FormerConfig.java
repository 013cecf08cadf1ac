package io.tfhybrid.arch.conv2former;

import static io.tfhybrid.arch.golden.FixtureJson.field;
import static io.tfhybrid.arch.golden.FixtureJson.intField;
import static io.tfhybrid.arch.golden.FixtureJson.ints;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.nn.Checks;
import java.util.List;

/**
 * Hyper-parameters of {@code Conv2Former} (HVision-NKU/Conv2Former@94fd1c4). One kernel size for
 * all four stages; stem width {@code dims[0] / 2} and head width 1280 are derived.
 *
 * @param kernelSize depthwise kernel of the modulation branch (7 or 11 officially; odd)
 * @param dims stage widths d0..d3
 * @param depths blocks per stage
 * @param mlpRatios MLP expansion per stage (integers)
 * @param numClasses classifier outputs
 */
public record Conv2FormerConfig(int kernelSize, List<Integer> dims, List<Integer> depths,
    List<Integer> mlpRatios, int numClasses) implements ModelConfig {

  /** Head width, hard-coded in the reference for every variant. */
  public static final int HEAD_WIDTH = 1280;

  /** Every LayerNorm of the reference (blocks, downsamplers, head) uses eps 1e-6. */
  public static final float LN_EPS = 1e-6f;

  /** The config of the reference constructor's keyword arguments ({@code model_kwargs}). */
  public static Conv2FormerConfig fromReference(JsonNode modelKwargs) {
    return new Conv2FormerConfig(intField(modelKwargs, "kernel_size"),
        ints(field(modelKwargs, "dims")), ints(field(modelKwargs, "depths")),
        ints(field(modelKwargs, "mlp_ratios")), intField(modelKwargs, "num_classes"));
  }

  /** The config a golden case was generated with: its metadata's {@code model_kwargs}. */
  public static Conv2FormerConfig fromFixture(JsonNode metadata) {
    return fromReference(field(metadata, "model_kwargs"));
  }

  public Conv2FormerConfig {
    dims = List.copyOf(dims);
    depths = List.copyOf(depths);
    mlpRatios = List.copyOf(mlpRatios);
    Checks.checkArg(kernelSize > 0 && kernelSize % 2 == 1, "kernelSize must be odd, found %s", kernelSize);
    Checks.checkArg(dims.size() == 4 && depths.size() == 4 && mlpRatios.size() == 4,
        "Conv2Former has 4 stages: dims %s, depths %s, mlpRatios %s", dims, depths, mlpRatios);
    Checks.checkArg(dims.get(0) >= 2, "dims[0] must be >= 2 (stem width dims[0]/2), found %s", dims.get(0));
    dims.forEach(d -> Checks.positive(d, "dims"));
    depths.forEach(d -> Checks.positive(d, "depths"));
    mlpRatios.forEach(r -> Checks.positive(r, "mlpRatios"));
    Checks.positive(numClasses, "numClasses");
  }

  /** Stem width {@code dims[0] / 2} (integer division). */
  public int stemWidth() {
    return dims.get(0) / 2;
  }

  public Conv2FormerConfig withNumClasses(int n) {
    return new Conv2FormerConfig(kernelSize, dims, depths, mlpRatios, n);
  }

  public Conv2FormerConfig withKernelSize(int k) {
    return new Conv2FormerConfig(k, dims, depths, mlpRatios, numClasses);
  }

  @Override
  public ClassifierModel createModule() {
    return new Conv2Former(this);
  }
}
