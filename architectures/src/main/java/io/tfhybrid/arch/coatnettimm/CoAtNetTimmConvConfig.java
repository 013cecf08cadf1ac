package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.ops.Activations;

/**
 * The MBConv switches of timm's {@code MaxxVitConvCfg} that differ between the pretrained CoAtNets
 * (spec §2, §6). The fixed ones (expansion 4 from the block input, SE ratio 0.25, kernel 3, SiLU,
 * BatchNorm eps 1e-5, avg2 {@code down}) are constants of {@link CoAtNetTimmConfig}.
 *
 * @param strideMode where a stride-2 block downsamples (timm {@code stride_mode})
 * @param poolType the pool of every stride-2 shortcut (timm {@code pool_type})
 * @param preNormAct whether the pre-norm BatchNorm is followed by SiLU (timm {@code pre_norm_act})
 * @param outputBias bias on {@code conv3_1x1} and on the shortcut {@code expand} conv (timm {@code
 *     output_bias})
 * @param attnEarly SE before norm2 ({@code se_early.*}) rather than after it ({@code se.*})
 * @param attnAct the activation between the two SE 1x1 convs (RELU or SILU)
 */
public record CoAtNetTimmConvConfig(
    StrideMode strideMode,
    PoolType poolType,
    boolean preNormAct,
    boolean outputBias,
    boolean attnEarly,
    Activations.Kind attnAct) {

  /** timm's {@code stride_mode} ('1x1' is used by no pretrained CoAtNet and not ported). */
  public enum StrideMode {
    /** 2x2 average pool ({@code down}) after the pre-norm, before {@code conv1_1x1}. */
    POOL("pool"),
    /** The 3x3 depthwise conv has stride 2 (symmetric padding 1). */
    DW("dw");

    private final String timmName;

    StrideMode(String timmName) {
      this.timmName = timmName;
    }

    public String timmName() {
      return timmName;
    }
  }

  /** timm's {@code pool_type} of {@code Downsample2d}. */
  public enum PoolType {
    /** Average pool kernel 2 stride 2, floor mode. */
    AVG2("avg2"),
    /** Max pool kernel 3 stride 2 padding 1 (padding never wins), floor mode. */
    MAX("max");

    private final String timmName;

    PoolType(String timmName) {
      this.timmName = timmName;
    }

    public String timmName() {
      return timmName;
    }

    /** The pooled size of {@code n}: {@code floor(n/2)} for avg2, {@code ceil(n/2)} for max. */
    public int outSize(int n) {
      return this == AVG2 ? n / 2 : (n - 1) / 2 + 1;
    }
  }

  public CoAtNetTimmConvConfig {
    Checks.checkArg(
        strideMode != null && poolType != null && attnAct != null,
        "strideMode, poolType and attnAct are required");
    Checks.checkArg(
        attnAct == Activations.Kind.RELU || attnAct == Activations.Kind.SILU,
        "the SE activation is RELU or SILU in timm's CoAtNets, found %s",
        attnAct);
  }
}
