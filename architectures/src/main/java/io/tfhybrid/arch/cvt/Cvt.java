package io.tfhybrid.arch.cvt;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Identity;
import io.tfhybrid.nn.LayerNorm;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Conv;
import io.tfhybrid.ops.Layouts;
import io.tfhybrid.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * CvT (Wu et al., arXiv 2103.15808), the official microsoft/CvT {@code cls_cvt} model as built by
 * {@code get_cls_model}: stages {@code stage0..}, final LayerNorm {@code norm}, classifier
 * {@code head}. Any input size of at least {@link #minInputSide()} per side works with the same
 * weights (there is no positional embedding).
 *
 * <p>Captures (fixture {@code feature.<path>}): {@code stage{i}.patch_embed} (map after the
 * embedding LayerNorm), {@code stage{i}.blocks.{j}.attn.conv_proj_k} ({@code [B, Hk·Wk, C]} before
 * the class token and {@code proj_k}), {@code stage{i}.blocks.{j}} (tokens, class token first),
 * {@code stage{i}} (map without the class token) and {@code norm} ({@code [B, 1, C]} on the class
 * token, or {@code [B, H·W, C]} before the token mean).
 */
public final class Cvt extends ClassifierModel {
  /** LayerNorm eps of every CvT LayerNorm (the reference's {@code partial(LayerNorm, eps=1e-5)}). */
  // Parity quirk: the reference's LayerNorm subclass upcasts to float32, a no-op here (all float32).
  static final float LN_EPS = 1e-5f;

  private final CvtConfig config;
  private final List<CvtStage> stages = new ArrayList<>();
  private final LayerNorm norm;
  private final Module head;

  public Cvt(CvtConfig config) {
    this.config = config;
    int in = CvtConfig.IN_CHANS;
    for (int i = 0; i < config.stages().size(); i++) {
      CvtStageConfig s = config.stages().get(i);
      stages.add(child("stage" + i, new CvtStage(s, in, config.mlpActivation())));
      in = s.dimEmbed();
    }
    norm = child("norm", new LayerNorm(config.lastDim(), LN_EPS));
    head = child("head", config.numClasses() > 0
        ? new Linear(config.lastDim(), config.numClasses(), true)
        : new Identity());
  }

  public CvtConfig config() {
    return config;
  }

  @Override
  public Arch arch() {
    return Arch.CVT;
  }

  /** The logits' width; with {@code numClasses == 0} (no head) the logits are the features. */
  @Override
  public int numClasses() {
    return config.numClasses() > 0 ? config.numClasses() : config.lastDim();
  }

  @Override
  public int featureDim() {
    return config.lastDim();
  }

  /**
   * The smallest legal height/width: every stage's embedding conv and q/k/v projections must keep
   * at least one token (3 for the official kernels 7/3/3, strides 4/2/2, paddings 2/1/1).
   */
  public int minInputSide() {
    for (int n = 1; ; n++) {
      if (gridSizes(n) != null) {
        return n;
      }
    }
  }

  /** Token-grid side of every stage for an input side {@code n}, or null if a stage would be empty. */
  private long[] gridSizes(long n) {
    long[] out = new long[config.stages().size()];
    for (int i = 0; i < out.length; i++) {
      CvtStageConfig s = config.stages().get(i);
      n = Conv.outSize(n, s.patchSize(), s.patchStride(), s.patchPadding());
      if (n < 1 || Conv.outSize(n, s.kernelQkv(), s.strideKv(), s.paddingKv()) < 1) {
        return null;
      }
      out[i] = n;
    }
    return out;
  }

  @Override
  public void checkInputSize(long height, long width) {
    if (height >= 1 && width >= 1 && gridSizes(height) != null && gridSizes(width) != null) {
      return;
    }
    int min = minInputSide();
    throw new IllegalArgumentException(String.format(
        "CvT input %dx%d (height x width) is not legal: every stage must keep at least one token,"
            + " so height and width must each be >= %d; every size from %d up is legal, square or"
            + " not (CvT has no positional embedding; the official variants default to 224x224 or"
            + " 384x384)", height, width, min, min));
  }

  @Override
  public List<String> diagnose(Map<String, long[]> checkpointShapes) {
    return CvtDiagnosis.hints(config, checkpointShapes);
  }

  @Override
  protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> xNhwc) {
    Ops tf = ctx.tf();
    Operand<TFloat32> map = xNhwc;
    Operand<TFloat32> cls = null;
    for (CvtStage stage : stages) {
      String name = nameOf(stage);
      CvtStage.Output out = stage.apply(ctx.enter(name), map);
      ctx.capture(name, out.mapNhwc());
      map = out.mapNhwc();
      cls = out.clsTokenB1c();
    }
    if (config.headUsesClassToken()) {
      // Class token of the last stage → LayerNorm ([B, 1, C], capture "norm") → [B, C].
      // Parity quirk: the reference squeezes without an axis, so for B = 1 its logits are 1-D
      // [N]; we always return [B, N] (tests compare batch-1 logits element-wise).
      Operand<TFloat32> normed = call(norm, ctx, cls);
      return Shapes.reshape(tf, normed, -1, config.lastDim());
    }
    // No class token: LayerNorm on every token first, then the mean over the tokens.
    Operand<TFloat32> normed = call(norm, ctx, Layouts.mapToTokens(tf, map));
    return tf.math.mean(normed, tf.constant(1));
  }

  @Override
  protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features) {
    return call(head, ctx, features);
  }
}
