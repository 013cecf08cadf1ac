package io.tfhybrid.arch.contnet;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.ops.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * ConTNet (yan-hao-tian/ConTNet@a3699f4, "ConTNet: Why not use convolution and transformer at the
 * same time?"): stem {@code layer0}, stages {@code layer1 … layerN} of ConT blocks, global mean,
 * {@code fc}. NHWC float32 input whose sides satisfy {@link ContNetConfig#isLegalSide}.
 */
public final class ContNet extends ClassifierModel {
  private final ContNetConfig config;
  private final ContNetStem layer0;
  private final List<ContNetStage> stages = new ArrayList<>();
  private final Linear fc;

  public ContNet(ContNetConfig config) {
    this.config = config;
    layer0 = child("layer0", new ContNetStem(config.inplanes()));
    for (ContNetStageConfig s : config.stages()) {
      stages.add(child(s.name(), new ContNetStage(s, config.flags())));
    }
    fc = child("fc", new Linear(config.featureDim(), config.numClasses(), true));
  }

  public ContNetConfig config() {
    return config;
  }

  @Override
  public Arch arch() {
    return Arch.CONTNET;
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  @Override
  public int featureDim() {
    return config.featureDim();
  }

  /**
   * Rejects sides whose stem map {@code ceil(side/4)} is not a multiple of 7·2^(N−1) (spec §6). The
   * reference silently drops the rows that do not fill a patch and then crashes at the residual
   * add, so there is no output to match; we fail up front instead.
   */
  @Override
  public void checkInputSize(long height, long width) {
    boolean okH = config.isLegalSide(height);
    boolean okW = config.isLegalSide(width);
    if (okH && okW) {
      return;
    }
    long m = config.stemMapMultiple();
    StringBuilder found = new StringBuilder();
    if (!okH) {
      found
          .append("H=")
          .append(height)
          .append(" (ceil(H/4)=")
          .append(Math.floorDiv(height + 3, 4))
          .append(')');
    }
    if (!okW) {
      found
          .append(found.length() > 0 ? ", " : "")
          .append("W=")
          .append(width)
          .append(" (ceil(W/4)=")
          .append(Math.floorDiv(width + 3, 4))
          .append(')');
    }
    throw new IllegalArgumentException(
        String.format(
            "ConTNet (%d stages) cannot run a %dx%d input: it needs ceil(H/4) and ceil(W/4) to be"
                + " multiples of %d (every STE needs its map to be a multiple of its patch side),"
                + " i.e. legal sides %s; found %s. Hint: pad or resize to %dx%d.",
            config.numStages(),
            height,
            width,
            m,
            config.legalSides(),
            found,
            config.nextLegalSide(Math.max(height, 1)),
            config.nextLegalSide(Math.max(width, 1))));
  }

  @Override
  protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> xNhwc) {
    Operand<TFloat32> x = call(layer0, ctx, xNhwc);
    for (ContNetStage s : stages) {
      x = call(s, ctx, x);
    }
    // Parity quirk: no final BN/ReLU before the global mean over H and W.
    return Pooling.globalAvgPool(ctx.tf(), x, false);
  }

  @Override
  protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features) {
    return call(fc, ctx, features);
  }

  /**
   * Says what a checkpoint that does not load looks like: another official variant (or the config
   * its shapes describe), other build flags (detected from its keys, with the evidence), another
   * class count.
   */
  @Override
  public List<String> diagnose(Map<String, long[]> checkpointShapes) {
    List<String> hints = new ArrayList<>();
    Optional<io.tfhybrid.arch.Detection<ContNetConfig>> inferred =
        ContNetConfig.fromCheckpoint(checkpointShapes, config.flags().preNorm());
    if (inferred.isEmpty()) {
      hints.add(
          "the checkpoint is not a ConTNet state_dict of this code base (expected"
              + " 'layer0.conv.conv.weight', 'layer<s>.ConTBlock<j>.ste1.attn.qkv.weight' and"
              + " 'fc.weight' keys, optionally under 'module.')");
      return hints;
    }
    ContNetConfig found = inferred.get().config();
    if (!found.sameTopology(config)) {
      Optional<Variant<ContNetConfig>> v =
          ContNetVariants.ALL.stream().filter(x -> x.config().sameTopology(found)).findFirst();
      String looksLike =
          v.isPresent()
              ? "the checkpoint looks like variant '"
                  + v.get().id()
                  + "' ("
                  + found.topology()
                  + ")"
              : "the checkpoint's shapes describe "
                  + found.topology()
                  + ", which is no official variant";
      hints.add(looksLike + "; this model has " + config.topology());
    }
    ContNetFlags f = found.flags();
    ContNetFlags mine = config.flags();
    if (f.useAvgdown() != mine.useAvgdown()
        || f.relative() != mine.relative()
        || f.qkvBias() != mine.qkvBias()) {
      List<String> why = new ArrayList<>();
      for (io.tfhybrid.arch.Reason r : inferred.get().reasons()) {
        if ((r.isAbout(ContNetFlags.USE_AVGDOWN) && f.useAvgdown() != mine.useAvgdown())
            || (r.isAbout(ContNetFlags.RELATIVE) && f.relative() != mine.relative())
            || (r.isAbout(ContNetFlags.QKV_BIAS) && f.qkvBias() != mine.qkvBias())) {
          why.add(r.text());
        }
      }
      hints.add(
          String.format(
              "the checkpoint was built with other flags: %s. This model has %s; use"
                  + " ContNetConfig.withFlags(new ContNetFlags(%s, %s, %s, %s)) (pre_norm is not"
                  + " visible in a checkpoint: keep the value it was trained with)",
              String.join("; ", why),
              mine,
              f.useAvgdown(),
              f.relative(),
              f.qkvBias(),
              mine.preNorm()));
    }
    if (found.numClasses() != config.numClasses()) {
      hints.add(
          String.format(
              "the checkpoint has %d classes, this model %d: for a different class count use"
                  + " ContNetConfig.withNumClasses(%d)",
              found.numClasses(), config.numClasses(), found.numClasses()));
    }
    return hints;
  }
}
