package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * serving_bytes' decode loop on images made in Java: every common format, greyscale, batches. The
 * pixel-exact comparison with PIL + torchvision is {@link PilImagesTest}.
 */
class ServingGraphTest {

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
