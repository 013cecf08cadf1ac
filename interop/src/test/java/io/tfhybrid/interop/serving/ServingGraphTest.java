package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.nn.HostTensor;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * The in-graph evaluation transform of serving_bytes against a host reference of what torchvision's
 * {@code Resize} (PIL, antialiased) + {@code CenterCrop} do.
 */
class ServingGraphTest {

  @ParameterizedTest(name = "{0} {1}x{2} {3} {4}x{5} crop {6}x{7}")
  @CsvSource({
    "BICUBIC, 70, 53, CENTER, 40, 40, 32, 32", // landscape, shorter side = height
    "BILINEAR, 45, 80, CENTER, 36, 36, 32, 32", // portrait
    "BICUBIC, 30, 24, CENTER, 48, 48, 40, 40", // upscaling
    "BILINEAR, 64, 64, SQUASH, 24, 30, 24, 30", // resize straight to a non-square size, no crop
    "BICUBIC, 70, 53, SQUASH, 41, 35, 32, 32", // timm squash with crop_pct < 1: resize, then crop
  })
  void matchesPilResizeAndCenterCrop(
      Interpolation interp,
      int w,
      int h,
      Preprocessing.CropMode mode,
      int resizeH,
      int resizeW,
      int cropH,
      int cropW)
      throws Exception {
    BufferedImage img = ImageFixtures.photoLike(w, h, w * 31L + h);
    Preprocessing p =
        new Preprocessing(
            interp,
            mode,
            resizeH,
            resizeW,
            cropH,
            cropW,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD);
    float[] ours =
        runGraph(List.of(WarmupRequests.encode(img, "png"), WarmupRequests.encode(img, "png")), p);
    assertEquals(2 * cropH * cropW * 3, ours.length);
    float[] ref = PilReference.resizeCrop(ImageFixtures.pixels(img).toFloatArray(), h, w, p);
    int n = cropH * cropW * 3;
    double max = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      assertEquals(ours[i], ours[n + i], 0.0, "both batch entries decode alike");
      double d = Math.abs(ours[i] - ref[i]);
      max = Math.max(max, d);
      sum += d;
    }
    System.out.printf(
        "resize %s %s %dx%d: max %.1f mean %.4f%n", interp, mode, w, h, max, sum / n);
    // PIL rounds to uint8 between its horizontal and vertical passes and uses fixed-point
    // weights; the graph rounds once. That costs at most one level, on few pixels.
    assertTrue(max <= 1, "max |Δ| " + max);
    assertTrue(sum / n < 0.3, "mean |Δ| " + sum / n);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"png", "jpg", "bmp", "gif"})
  void decodesEveryCommonFormatToRgb(String format) throws Exception {
    BufferedImage img = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 20; x++) {
        img.setRGB(x, y, 0x336699);
      }
    }
    Preprocessing p =
        new Preprocessing(
            Interpolation.BILINEAR,
            0,
            10,
            20,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD);
    float[] ours = runGraph(List.of(WarmupRequests.encode(img, format)), p);
    float[] expected = {0x33, 0x66, 0x99};
    for (int i = 0; i < ours.length; i++) {
      assertEquals(expected[i % 3], ours[i], format.equals("jpg") ? 3 : 0, format + " at " + i);
    }
  }

  @org.junit.jupiter.api.Test
  void grayscalePngBecomesThreeEqualChannels() throws Exception {
    BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(3, 4, 0, 200);
    Preprocessing p =
        new Preprocessing(
            Interpolation.BILINEAR,
            0,
            8,
            8,
            Preprocessing.IMAGENET_MEAN,
            Preprocessing.IMAGENET_STD);
    float[] ours = runGraph(List.of(WarmupRequests.encode(gray, "png")), p);
    int i = (4 * 8 + 3) * 3;
    assertArrayEquals(new float[] {200, 200, 200}, new float[] {ours[i], ours[i + 1], ours[i + 2]});
  }

  static float[] runGraph(List<byte[]> images, Preprocessing p) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TString> in = tf.placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> out = ServingGraph.decodeImages(g, tf, in, p, "decode");
      assertArrayEquals(new long[] {-1, p.cropHeight(), p.cropWidth(), 3}, out.shape().asArray());
      try (Session s = new Session(g);
          TString t = Tensors.strings(images);
          Result r = s.runner().feed(in, t).fetch(out).run()) {
        HostTensor h = Tensors.toHost(r.get(0));
        assertArrayEquals(new long[] {images.size(), p.cropHeight(), p.cropWidth(), 3}, h.shape());
        return h.toFloatArray();
      }
    }
  }
}
