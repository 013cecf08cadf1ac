package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.RelPos;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import io.tfhybrid.ops.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's CoAtNet ({@code MaxxVit} with block types C-C-T-T, {@code timm/models/maxxvit.py}, timm
 * 0.9.16), the root module (spec §4): {@code stem}, {@code stages.0..3} ({@code blocks.j}), the
 * final {@code norm} and {@code head} (global average pool, {@code fc}). Children carry timm's
 * attribute names, so every declared tensor's path is its state_dict key.
 *
 * <p>Built for one input size ({@link CoAtNetTimmConfig#height()} x {@link
 * CoAtNetTimmConfig#width()}): the transformer windows are the stage maps at that size. Bias-MLP
 * configs build at any legal size via {@link CoAtNetTimmConfig#forInputSize}; table configs run
 * only at their own.
 */
public final class CoAtNetTimm extends ClassifierModel {
  /** The capture name of the pooled features (timm's {@code head.global_pool} output). */
  public static final String GLOBAL_POOL = "head.global_pool";

  private final CoAtNetTimmConfig config;
  private final CoAtNetTimmStem stem;
  private final Sequential stages;
  private final Module norm;
  private final CoAtNetTimmHead head;

  public CoAtNetTimm(CoAtNetTimmConfig config) {
    this.config = config;
    stem = child("stem", new CoAtNetTimmStem(config.stemWidth().get(0), config.stemWidth().get(1)));
    List<Module> list = new ArrayList<>();
    for (int i = 0; i < CoAtNetTimmConfig.NUM_STAGES; i++) {
      list.add(new CoAtNetTimmStage(config, i));
    }
    stages = child("stages", new Sequential(list));
    // The final norm is the transformer norm: LayerNorm2d, or BatchNorm2d eps 1e-6 for bn_0.
    norm = child("norm", CoAtNetTimmTransformer.norm(config.transformer(), featureDim()));
    head = child("head", new CoAtNetTimmHead(featureDim(), config.numClasses()));
  }

  public CoAtNetTimmConfig config() {
    return config;
  }

  @Override
  public Arch arch() {
    return Arch.COATNET_TIMM;
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  @Override
  public int featureDim() {
    return config.embedDim().get(CoAtNetTimmConfig.NUM_STAGES - 1);
  }

  /**
   * Only the construction size runs (timm fails with an {@code N*N} size mismatch otherwise): the
   * message says how to get another size (rmlp) or which size the tables fit.
   */
  @Override
  public void checkInputSize(long height, long width) {
    // Parity quirk: the model runs only at its construction size (the bias covers exactly the
    // construction windows); 224 vs 384 of rmlp_2 is decided by config, not by the weights.
    int h = config.height();
    int w = config.width();
    if (height == h && width == w) {
      return;
    }
    String how;
    if (config.transformer().relPos() == RelPos.MLP) {
      how =
          String.format(
              "its relative-position bias comes from an MLP, so the same weights build for other"
                  + " sizes: use CoAtNetTimmConfig.forInputSize(%d, %d) (the CLI's --size), H and W"
                  + " multiples of %d",
              height, width, config.legalMultiple());
    } else {
      how =
          String.format(
              "its relative-position bias tables fit %dx%d inputs only (feed %dx%d)", h, w, h, w);
    }
    throw new IllegalArgumentException(
        String.format(
            "CoAtNet (timm) built for %dx%d accepts only %dx%d inputs, found %dx%d: %s",
            h, w, h, w, height, width, how));
  }

  @Override
  public List<String> diagnose(Map<String, long[]> checkpointShapes) {
    return CoAtNetTimmDiagnosis.hints(config, checkpointShapes);
  }

  @Override
  public Optional<String> unsupportedCheckpoint(Map<String, long[]> checkpointShapes) {
    return CoAtNetTimmDiagnosis.unsupported(checkpointShapes);
  }

  @Override
  protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> xNhwc) {
    Operand<TFloat32> x = call(stem, ctx, xNhwc);
    x = call(stages, ctx, x);
    x = call(norm, ctx, x);
    return ctx.capture(GLOBAL_POOL, Pooling.globalAvgPool(ctx.tf(), x, false));
  }

  @Override
  protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features) {
    return call(head, ctx, features);
  }
}
