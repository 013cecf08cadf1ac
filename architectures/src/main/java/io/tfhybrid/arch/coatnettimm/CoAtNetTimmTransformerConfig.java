package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.nn.Checks;

/**
 * The transformer switches of timm's {@code MaxxVitTransformerCfg} that differ between the
 * pretrained CoAtNets (spec §2, §7). Fixed: head dim 32, attention at the block input width
 * (head-first q/k/v), MLP ratio 4 with exact GELU, q/k/v and proj biases, norm eps 1e-6.
 *
 * @param poolType the pool of the stride-2 shortcut and of {@code norm1.down}
 * @param shortcutBias bias on the stride-2 shortcut {@code expand} conv
 * @param norm LayerNorm2d or BatchNorm2d for norm1, norm2 and the final norm
 * @param relPos learned bias table or bias MLP
 * @param relPosDim hidden width of the bias MLP (ignored for tables, kept as timm resolves it)
 * @param layerScale per-channel {@code gamma} on both branches ({@code ls1}, {@code ls2})
 */
public record CoAtNetTimmTransformerConfig(
    PoolType poolType,
    boolean shortcutBias,
    Norm norm,
    RelPos relPos,
    int relPosDim,
    boolean layerScale) {

  /** timm's transformer {@code norm_layer}. */
  public enum Norm {
    /** {@code layernorm2d}: LayerNorm over channels at every position, eps 1e-6. */
    LAYER_NORM("layernorm2d"),
    /** {@code batchnorm2d}: BatchNorm2d with running statistics, eps 1e-6 (coatnet_bn_0). */
    BATCH_NORM("batchnorm2d");

    private final String timmName;

    Norm(String timmName) {
      this.timmName = timmName;
    }

    public String timmName() {
      return timmName;
    }
  }

  /** timm's {@code rel_pos_type}. */
  public enum RelPos {
    /** {@code bias}: {@code RelPosBias}, a learned {@code [(2h-1)(2w-1), heads]} table. */
    TABLE("bias"),
    /** {@code mlp}: {@code RelPosMlp}, a 2 → hidden → heads MLP on log-spaced offsets. */
    MLP("mlp");

    private final String timmName;

    RelPos(String timmName) {
      this.timmName = timmName;
    }

    public String timmName() {
      return timmName;
    }
  }

  public CoAtNetTimmTransformerConfig {
    Checks.checkArg(
        poolType != null && norm != null && relPos != null,
        "poolType, norm and relPos are required");
    Checks.positive(relPosDim, "rel_pos_dim");
  }
}
