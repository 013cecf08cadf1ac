package io.tfhybrid.arch.cvt;

/**
 * How an attention block projects its tokens before {@code proj_q/k/v} ({@code QKV_PROJ_METHOD}).
 * Only {@link #DW_BN} is supported: every official model uses it. The reference's {@code 'avg'}
 * (no conv/BN keys, average-pooled k/v) is used by no checkpoint and by neither Hugging Face port,
 * and its {@code 'linear'} is broken in the reference; both are out of scope (spec §9).
 */
public enum ProjMethod {
  /** Depthwise 3x3 convolution (no bias) → BatchNorm → flatten to tokens: keys {@code conv}, {@code bn}. */
  DW_BN;

  /** Parses the reference's spelling ({@code "dw_bn"}); other methods are rejected with the reason. */
  public static ProjMethod fromReference(String name) {
    if ("dw_bn".equals(name)) {
      return DW_BN;
    }
    throw new IllegalArgumentException("QKV_PROJ_METHOD '" + name + "' is not supported: expected"
        + " 'dw_bn' (every official CvT uses it; 'avg' has no checkpoint and no Hugging Face port,"
        + " 'linear' is broken in the reference)");
  }
}
