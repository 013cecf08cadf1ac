package io.tfhybrid.arch;

import java.util.List;

/**
 * A variant's evaluation transform: resize (shorter side to {@code resizeShorter}, or the whole
 * image to the crop size when {@code resizeShorter == 0}), center crop, scale to [0, 1],
 * normalise per RGB channel.
 */
public record Preprocessing(Interpolation interpolation, int resizeShorter, int cropHeight,
    int cropWidth, List<Float> mean, List<Float> std) {

  public enum Interpolation {
    BILINEAR,
    BICUBIC
  }

  public static final List<Float> IMAGENET_MEAN = List.of(0.485f, 0.456f, 0.406f);
  public static final List<Float> IMAGENET_STD = List.of(0.229f, 0.224f, 0.225f);

  public Preprocessing {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
  }

  /** Resize the shorter side to {@code resize}, center-crop {@code crop}² (ImageNet statistics). */
  public static Preprocessing resizeCrop(Interpolation interpolation, int resize, int crop) {
    return new Preprocessing(interpolation, resize, crop, crop, IMAGENET_MEAN, IMAGENET_STD);
  }

  /** Resize straight to {@code size}² with no crop (ImageNet statistics). */
  public static Preprocessing resizeOnly(Interpolation interpolation, int size) {
    return new Preprocessing(interpolation, 0, size, size, IMAGENET_MEAN, IMAGENET_STD);
  }
}
