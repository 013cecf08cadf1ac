package io.tfhybrid.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
  private static final List<Float> HALF = List.of(0.5f, 0.5f, 0.5f);

  @Test
  void timmCropPctGivesPythonsFlooredResizeSize() {
    // timm transforms_imagenet_eval: scale_size = math.floor(img_size / crop_pct).
    assertEquals(235, timm(CropMode.CENTER, 0.95, 224).resizeHeight());
    assertEquals(248, timm(CropMode.CENTER, 0.9, 224).resizeHeight());
    assertEquals(256, timm(CropMode.CENTER, 0.875, 224).resizeHeight());
    Preprocessing squash = timm(CropMode.SQUASH, 1.0, 384);
    assertEquals(
        new Preprocessing(Interpolation.BICUBIC, CropMode.SQUASH, 384, 384, 384, 384, HALF, HALF),
        squash);
    Preprocessing wide =
        Preprocessing.timm(Interpolation.BICUBIC, CropMode.SQUASH, 0.95, 64, 96, HALF, HALF);
    assertEquals(67, wide.resizeHeight());
    assertEquals(101, wide.resizeWidth());
  }

  @Test
  void torchvisionFormsKeepTheirMeaning() {
    assertEquals(
        new Preprocessing(
            Interpolation.BILINEAR,
            CropMode.CENTER,
            256,
            256,
            224,
            224,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD),
        Preprocessing.resizeCrop(Interpolation.BILINEAR, 256, 224));
    assertEquals(
        Preprocessing.resizeOnly(Interpolation.BICUBIC, 384),
        new Preprocessing(
            Interpolation.BICUBIC,
            0,
            384,
            384,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD));
    assertEquals(
        Preprocessing.resizeCrop(Interpolation.BICUBIC, 256, 224),
        new Preprocessing(
            Interpolation.BICUBIC,
            256,
            224,
            224,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD));
  }

  @Test
  void anotherCropSizeKeepsTheResizeRatio() {
    Preprocessing p = Preprocessing.resizeCrop(Interpolation.BICUBIC, 256, 224).forCrop(384, 384);
    assertEquals(439, p.resizeHeight());
    assertEquals(439, p.resizeWidth());
    assertEquals(CropMode.CENTER, p.cropMode());
    Preprocessing q = Preprocessing.resizeOnly(Interpolation.BICUBIC, 384).forCrop(224, 320);
    assertEquals(
        new Preprocessing(
            Interpolation.BICUBIC,
            CropMode.SQUASH,
            224,
            320,
            224,
            320,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD),
        q);
  }

  @Test
  void rejectsWhatNoTransformMeans() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> timm(CropMode.CENTER, 1.5, 224));
    assertEquals("crop_pct must be in (0, 1], found 1.5", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Preprocessing(
                Interpolation.BICUBIC, CropMode.CENTER, 235, 235, 224, 224, HALF, List.of(0.5f)));
  }

  private static Preprocessing timm(CropMode mode, double pct, int size) {
    return Preprocessing.timm(Interpolation.BICUBIC, mode, pct, size, size, HALF, HALF);
  }
}
