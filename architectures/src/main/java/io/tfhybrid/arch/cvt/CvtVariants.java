package io.tfhybrid.arch.cvt;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.Variant;
import java.util.List;

/**
 * The official CvT variants (microsoft/CvT {@code experiments/imagenet/cvt/*.yaml}). They share
 * the embedding kernels/strides/paddings 7/3/3, 4/2/2, 2/1/1, MLP ratio 4, q/k/v bias, a class
 * token only in the last stage, {@code dw_bn} projections and 1000 classes; they differ only in
 * widths, heads and depths. A 224 and a 384 variant of the same model share the weights' shapes
 * (no positional embedding): only the checkpoint and the default resolution differ.
 *
 * <p>Preprocessing (bicubic, ImageNet mean/std): the 224 models resize the shorter side to
 * {@code int(224 / 0.875) = 256} and center-crop 224; the 384 models resize straight to 384x384
 * ({@code TEST.CENTER_CROP: False}).
 */
public final class CvtVariants {
  private CvtVariants() {}

  /** CvT-13: widths 64, 192, 384; heads 1, 3, 6; depths 1, 2, 10 (19,997,480 parameters). */
  public static final CvtConfig CVT_13 = official(new int[] {64, 192, 384}, new int[] {1, 3, 6},
      new int[] {1, 2, 10});

  /** CvT-21: widths 64, 192, 384; heads 1, 3, 6; depths 1, 4, 16 (31,622,696 parameters). */
  public static final CvtConfig CVT_21 = official(new int[] {64, 192, 384}, new int[] {1, 3, 6},
      new int[] {1, 4, 16});

  /** CvT-W24: widths 192, 768, 1024; heads 3, 12, 16; depths 2, 2, 20 (277,196,392 parameters). */
  public static final CvtConfig CVT_W24 = official(new int[] {192, 768, 1024},
      new int[] {3, 12, 16}, new int[] {2, 2, 20});

  private static final Preprocessing AT_224 =
      Preprocessing.resizeCrop(Interpolation.BICUBIC, 256, 224);
  private static final Preprocessing AT_384 = Preprocessing.resizeOnly(Interpolation.BICUBIC, 384);

  public static final Variant<CvtConfig> CVT_13_224 =
      Variant.of(Arch.CVT, "cvt_13_224", CVT_13, 224, AT_224);
  public static final Variant<CvtConfig> CVT_13_384 =
      Variant.of(Arch.CVT, "cvt_13_384", CVT_13, 384, AT_384);
  public static final Variant<CvtConfig> CVT_21_224 =
      Variant.of(Arch.CVT, "cvt_21_224", CVT_21, 224, AT_224);
  public static final Variant<CvtConfig> CVT_21_384 =
      Variant.of(Arch.CVT, "cvt_21_384", CVT_21, 384, AT_384);
  public static final Variant<CvtConfig> CVT_W24_384 =
      Variant.of(Arch.CVT, "cvt_w24_384", CVT_W24, 384, AT_384);

  public static final List<Variant<CvtConfig>> ALL =
      List.of(CVT_13_224, CVT_13_384, CVT_21_224, CVT_21_384, CVT_W24_384);

  /** Three official stages: (7, 4, 2), (3, 2, 1), (3, 2, 1), class token in the last one. */
  private static CvtConfig official(int[] dims, int[] heads, int[] depths) {
    int[] kernel = {7, 3, 3};
    int[] stride = {4, 2, 2};
    int[] padding = {2, 1, 1};
    List<CvtStageConfig> stages = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      stages.add(CvtStageConfig.official(kernel[i], stride[i], padding[i], dims[i], depths[i],
          heads[i], i == 2));
    }
    return new CvtConfig(stages, 1000, GeluKind.QUICK);
  }
}
