package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Checks;

/**
 * One CvT stage (the reference's {@code VisionTransformer}): a convolutional token embedding
 * ({@code patch_embed}) and {@code depth} transformer blocks with convolutional q/k/v projections.
 * Field names follow the reference's yaml {@code MODEL.SPEC} lists (one entry per stage).
 *
 * @param patchSize embedding conv kernel ({@code PATCH_SIZE}; official 7, 3, 3)
 * @param patchStride embedding conv stride ({@code PATCH_STRIDE}; official 4, 2, 2)
 * @param patchPadding symmetric zero padding of the embedding conv ({@code PATCH_PADDING}; 2, 1, 1)
 * @param dimEmbed stage width C ({@code DIM_EMBED})
 * @param depth number of blocks ({@code DEPTH})
 * @param numHeads attention heads ({@code NUM_HEADS}); must divide {@code dimEmbed}
 * @param mlpRatio MLP hidden width is {@code (int) (dimEmbed · mlpRatio)} ({@code MLP_RATIO})
 * @param qkvBias whether {@code proj_q/k/v} have a bias ({@code QKV_BIAS})
 * @param clsToken whether the stage prepends a class token ({@code CLS_TOKEN}; officially only
 *     the last stage)
 * @param projMethod the q/k/v projection ({@code QKV_PROJ_METHOD}); only {@link ProjMethod#DW_BN}
 * @param kernelQkv depthwise projection kernel ({@code KERNEL_QKV}; official 3)
 * @param paddingQ padding of the q projection ({@code PADDING_Q}; official 1)
 * @param strideQ stride of the q projection ({@code STRIDE_Q}; must be 1, the residual needs it)
 * @param paddingKv padding of the k/v projections ({@code PADDING_KV}; official 1)
 * @param strideKv stride of the k/v projections ({@code STRIDE_KV}; official 2)
 */
public record CvtStageConfig(
    int patchSize,
    int patchStride,
    int patchPadding,
    int dimEmbed,
    int depth,
    int numHeads,
    double mlpRatio,
    boolean qkvBias,
    boolean clsToken,
    ProjMethod projMethod,
    int kernelQkv,
    int paddingQ,
    int strideQ,
    int paddingKv,
    int strideKv) {

  public CvtStageConfig {
    Checks.positive(patchSize, "patchSize");
    Checks.positive(patchStride, "patchStride");
    Checks.nonNegative(patchPadding, "patchPadding");
    Checks.positive(dimEmbed, "dimEmbed");
    Checks.positive(depth, "depth");
    Checks.positive(numHeads, "numHeads");
    Checks.checkArg(dimEmbed % numHeads == 0,
        "dimEmbed (%s) must be divisible by numHeads (%s)", dimEmbed, numHeads);
    Checks.checkArg(mlpRatio > 0 && (int) (dimEmbed * mlpRatio) > 0,
        "mlpRatio (%s) must give a positive MLP width for dimEmbed %s", mlpRatio, dimEmbed);
    Checks.checkArg(projMethod != null, "projMethod must be set (ProjMethod.DW_BN)");
    Checks.positive(kernelQkv, "kernelQkv");
    Checks.nonNegative(paddingQ, "paddingQ");
    Checks.nonNegative(paddingKv, "paddingKv");
    Checks.positive(strideKv, "strideKv");
    // The attention output (one row per query) is added to the residual sequence, so q must keep
    // the grid: stride 1 and "same" padding, as in every official model.
    Checks.checkArg(strideQ == 1 && 2 * paddingQ == kernelQkv - 1,
        "the q projection must keep the token grid (strideQ 1, paddingQ (kernelQkv-1)/2 = %s);"
            + " found strideQ %s, paddingQ %s", (kernelQkv - 1) / 2, strideQ, paddingQ);
  }

  /**
   * A stage with the official settings: MLP ratio 4, q/k/v bias, {@code dw_bn} projections with
   * kernel 3, padding 1, stride 1 for q and 2 for k/v.
   */
  public static CvtStageConfig official(int patchSize, int patchStride, int patchPadding,
      int dimEmbed, int depth, int numHeads, boolean clsToken) {
    return new CvtStageConfig(patchSize, patchStride, patchPadding, dimEmbed, depth, numHeads, 4.0,
        true, clsToken, ProjMethod.DW_BN, 3, 1, 1, 1, 2);
  }

  /** MLP hidden width: {@code int(dim_embed * mlp_ratio)} as the reference computes it. */
  public int mlpHidden() {
    return (int) (dimEmbed * mlpRatio);
  }

  public CvtStageConfig withDepth(int newDepth) {
    return new CvtStageConfig(patchSize, patchStride, patchPadding, dimEmbed, newDepth, numHeads,
        mlpRatio, qkvBias, clsToken, projMethod, kernelQkv, paddingQ, strideQ, paddingKv, strideKv);
  }

  public CvtStageConfig withClsToken(boolean newClsToken) {
    return new CvtStageConfig(patchSize, patchStride, patchPadding, dimEmbed, depth, numHeads,
        mlpRatio, qkvBias, newClsToken, projMethod, kernelQkv, paddingQ, strideQ, paddingKv,
        strideKv);
  }

  public CvtStageConfig withQkvBias(boolean newQkvBias) {
    return new CvtStageConfig(patchSize, patchStride, patchPadding, dimEmbed, depth, numHeads,
        mlpRatio, newQkvBias, clsToken, projMethod, kernelQkv, paddingQ, strideQ, paddingKv,
        strideKv);
  }

  public CvtStageConfig withMlpRatio(double newMlpRatio) {
    return new CvtStageConfig(patchSize, patchStride, patchPadding, dimEmbed, depth, numHeads,
        newMlpRatio, qkvBias, clsToken, projMethod, kernelQkv, paddingQ, strideQ, paddingKv,
        strideKv);
  }

  public CvtStageConfig withWidth(int newDimEmbed, int newNumHeads) {
    return new CvtStageConfig(patchSize, patchStride, patchPadding, newDimEmbed, depth,
        newNumHeads, mlpRatio, qkvBias, clsToken, projMethod, kernelQkv, paddingQ, strideQ,
        paddingKv, strideKv);
  }
}
