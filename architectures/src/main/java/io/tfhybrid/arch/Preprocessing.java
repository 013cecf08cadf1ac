package io.tfhybrid.arch;

import io.tfhybrid.nn.Checks;
import java.util.List;

/**
 * A variant's evaluation transform, in the terms of timm's {@code transforms_imagenet_eval}:
 * resize the decoded RGB image to (at least) {@code resizeHeight x resizeWidth} as {@link
 * #cropMode} says, centre-crop {@code cropHeight x cropWidth} (offsets {@code round((size -
 * crop) / 2)}, half to even), scale to [0, 1], then {@code (x - mean) / std} per RGB channel.
 *
 * <p>timm's {@code crop_pct} / {@code crop_mode} / {@code input_size} map onto it with {@link
 * #timm}: the resize size is {@code floor(crop / crop_pct)} per side. torchvision's {@code
 * Resize(R)} + {@code CenterCrop(C)} is {@link #resizeCrop}; a plain resize to the input size is
 * {@link #resizeOnly}.
 */
public record Preprocessing(
    Interpolation interpolation,
    CropMode cropMode,
    int resizeHeight,
    int resizeWidth,
    int cropHeight,
    int cropWidth,
    List<Float> mean,
    List<Float> std) {

  public enum Interpolation {
    BILINEAR,
    BICUBIC
  }

  /** How the image reaches the resize size before the centre crop (timm's {@code crop_mode}). */
  public enum CropMode {
    /**
     * Keep the aspect ratio: scale by the smallest factor that covers {@code resizeHeight x
     * resizeWidth}. For a square resize size R (every variant we ship) that is torchvision's
     * {@code Resize(R)}: the shorter side becomes R, the longer {@code int(R * long / short)}.
     * timm {@code 'center'}.
     */
    CENTER,
    /**
     * Ignore the aspect ratio: resize to exactly {@code resizeHeight x resizeWidth} (then the
     * centre crop; none when the resize size is the crop size). timm {@code 'squash'}.
     */
    SQUASH
  }

  public static final List<Float> IMAGENET_MEAN = List.of(0.485f, 0.456f, 0.406f);
  public static final List<Float> IMAGENET_STD = List.of(0.229f, 0.224f, 0.225f);

  public Preprocessing {
    Checks.checkArg(
        interpolation != null && cropMode != null, "interpolation and cropMode are required");
    Checks.positive(cropHeight, "cropHeight");
    Checks.positive(cropWidth, "cropWidth");
    Checks.positive(resizeHeight, "resizeHeight");
    Checks.positive(resizeWidth, "resizeWidth");
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    Checks.checkArg(
        mean.size() == 3 && std.size() == 3,
        "mean and std need one value per RGB channel, found %s and %s",
        mean,
        std);
  }

  /**
   * torchvision's form: {@code Resize(resizeShorter)} + {@code CenterCrop(cropHeight, cropWidth)}
   * ({@link CropMode#CENTER}); {@code resizeShorter == 0} resizes straight to the crop size
   * ({@link CropMode#SQUASH}).
   */
  public Preprocessing(
      Interpolation interpolation,
      int resizeShorter,
      int cropHeight,
      int cropWidth,
      List<Float> mean,
      List<Float> std) {
    this(
        interpolation,
        resizeShorter > 0 ? CropMode.CENTER : CropMode.SQUASH,
        resizeShorter > 0 ? resizeShorter : cropHeight,
        resizeShorter > 0 ? resizeShorter : cropWidth,
        cropHeight,
        cropWidth,
        mean,
        std);
  }

  /** Resize the shorter side to {@code resize}, center-crop {@code crop}² (ImageNet statistics). */
  public static Preprocessing resizeCrop(Interpolation interpolation, int resize, int crop) {
    return new Preprocessing(
        interpolation, CropMode.CENTER, resize, resize, crop, crop, IMAGENET_MEAN, IMAGENET_STD);
  }

  /** Resize straight to {@code size}² with no crop (ImageNet statistics). */
  public static Preprocessing resizeOnly(Interpolation interpolation, int size) {
    return new Preprocessing(
        interpolation, CropMode.SQUASH, size, size, size, size, IMAGENET_MEAN, IMAGENET_STD);
  }

  /**
   * timm's eval transform for input {@code height x width}: resize size {@code floor(side /
   * cropPct)} per side (Python's {@code math.floor(x / crop_pct)}, same double arithmetic), e.g.
   * 224 at 0.95 → 235, 224 at 0.9 → 248, 384 at 1.0 → 384.
   */
  public static Preprocessing timm(
      Interpolation interpolation,
      CropMode cropMode,
      double cropPct,
      int height,
      int width,
      List<Float> mean,
      List<Float> std) {
    Checks.checkArg(cropPct > 0 && cropPct <= 1, "crop_pct must be in (0, 1], found %s", cropPct);
    return new Preprocessing(
        interpolation,
        cropMode,
        (int) Math.floor(height / cropPct),
        (int) Math.floor(width / cropPct),
        height,
        width,
        mean,
        std);
  }

  /**
   * The same transform for another crop size: the resize keeps its ratio to the crop (224 from 256
   * → 384 from 439; a square resize stays square in {@link CropMode#CENTER}).
   */
  public Preprocessing forCrop(int height, int width) {
    if (height == cropHeight && width == cropWidth) {
      return this;
    }
    if (cropMode == CropMode.SQUASH) {
      return new Preprocessing(
          interpolation,
          cropMode,
          (int) Math.round((double) resizeHeight * height / cropHeight),
          (int) Math.round((double) resizeWidth * width / cropWidth),
          height,
          width,
          mean,
          std);
    }
    int resize =
        (int)
            Math.round(
                (double) Math.min(resizeHeight, resizeWidth)
                    * Math.min(height, width)
                    / Math.min(cropHeight, cropWidth));
    return new Preprocessing(interpolation, cropMode, resize, resize, height, width, mean, std);
  }
}
