package io.tfhybrid.arch.coatnet;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.AvgPool2d;
import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * CoAtNet as implemented in chinhsuanwu/coatnet-pytorch ({@code coatnet.py}, commit d3ef1c3), the
 * root module (spec §2): stem {@code s0}, stages {@code s1..s4} of MBConv ('C') or Transformer
 * ('T') blocks as {@code block_types} says, {@code pool} (average pool, kernel H0/32, stride 1)
 * and a bias-free {@code fc}. Children carry the reference's attribute names, so every declared
 * tensor's path is its state_dict key.
 *
 * <p>The model is tied to its build size: it accepts only {@code imageSize × imageSize} inputs
 * ({@link #checkInputSize}), and a checkpoint whose bias tables belong to another size is diagnosed
 * ({@link #diagnose}).
 */
public final class CoAtNet extends ClassifierModel {
  private final CoAtNetConfig config;
  private final List<Sequential> stages = new ArrayList<>();
  private final AvgPool2d pool;
  private final Linear fc;

  public CoAtNet(CoAtNetConfig config) {
    this.config = config;
    stages.add(child("s0", stem(config)));
    for (int k = 1; k < CoAtNetConfig.NUM_STAGES; k++) {
      stages.add(child("s" + k, stage(config, k)));
    }
    // Parity quirk: no final norm; head pool AvgPool2d(H0 // 32, stride 1) (global when valid).
    pool = child("pool",
        AvgPool2d.builder(config.imageSize() / CoAtNetConfig.TOTAL_STRIDE).stride(1).build());
    // Parity quirk: the classifier has no bias.
    fc = child("fc", new Linear(config.channels().get(4), config.numClasses(), false));
  }

  /** {@code s0}: {@code num_blocks[0]} units {@code conv_3x3_bn} = Sequential(Conv, BN, GELU). */
  private static Sequential stem(CoAtNetConfig c) {
    int d0 = c.channels().get(0);
    List<Module> units = new ArrayList<>();
    for (int j = 0; j < c.numBlocks().get(0); j++) {
      int in = j == 0 ? CoAtNetConfig.IN_CHANNELS : d0;
      // Parity quirk: stride-2 3x3 conv, symmetric zero padding 1 (TF SAME pads 0/1 on even sizes).
      units.add(new Sequential(
          Conv2d.builder(in, d0, 3).stride(j == 0 ? 2 : 1).padding(1).bias(false).build(),
          new BatchNorm2d(d0, CoAtNetConfig.NORM_EPS),
          // Parity quirk: GELU is the exact erf form everywhere (stem, MBConv, SE, FFN).
          Act.gelu()));
    }
    return new Sequential(units);
  }

  /** {@code s1..s4}: block 0 downsamples {@code D[k-1] → D[k]}, the others keep {@code D[k]}. */
  private static Sequential stage(CoAtNetConfig c, int k) {
    int inp = c.channels().get(k - 1);
    int oup = c.channels().get(k);
    int side = c.stageSize(k);
    List<Module> blocks = new ArrayList<>();
    for (int j = 0; j < c.numBlocks().get(k); j++) {
      boolean down = j == 0;
      int in = down ? inp : oup;
      blocks.add(switch (c.blockType(k)) {
        case MBCONV -> new CoAtNetMbConv(in, oup, down);
        case TRANSFORMER -> new CoAtNetTransformer(in, oup, side, side, down);
      });
    }
    return new Sequential(blocks);
  }

  public CoAtNetConfig config() {
    return config;
  }

  @Override
  public Arch arch() {
    return Arch.COATNET;
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  @Override
  public int featureDim() {
    return config.channels().get(4);
  }

  /**
   * Only square inputs of exactly the build size run: the Transformer blocks' bias tables and token
   * grids are fixed at {@code H0 / 2^(k+1)} and the reference never interpolates them (spec §6).
   */
  @Override
  public void checkInputSize(long height, long width) {
    int s = config.imageSize();
    if (height != s || width != s) {
      throw new IllegalArgumentException(String.format(
          "CoAtNet built for image_size %d accepts only %dx%d inputs, found %dx%d: its"
              + " relative-position tables and token grids are fixed at build time (the reference"
              + " does not interpolate them). Legal size for this model: %dx%d. For another size"
              + " build a new model with CoAtNetConfig.withImageSize(n), n a multiple of 32"
              + " (square only)%s.",
          s, s, s, height, width, s, s, hintFor(height, width)));
    }
  }

  private static String hintFor(long height, long width) {
    if (height != width) {
      return "; non-square inputs are not supported (the reference's head pool breaks on them)";
    }
    if (height % CoAtNetConfig.TOTAL_STRIDE != 0) {
      long lo = height / 32 * 32;
      return "; " + height + " is not a multiple of 32 (nearest legal build sizes: "
          + (lo > 0 ? lo + " and " : "") + (lo + 32) + ")";
    }
    return "; e.g. withImageSize(" + height + ")";
  }

  @Override
  public List<String> diagnose(Map<String, long[]> checkpointShapes) {
    return CoAtNetDiagnosis.hints(config, checkpointShapes);
  }

  @Override
  protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> xNhwc) {
    Operand<TFloat32> x = xNhwc;
    for (Sequential s : stages) {
      x = call(s, ctx, x);
    }
    Operand<TFloat32> pooled = call(pool, ctx, x); // [B, 1, 1, D4]
    return Shapes.reshape(ctx.tf(), pooled, -1, featureDim());
  }

  @Override
  protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features) {
    return call(fc, ctx, features);
  }
}
