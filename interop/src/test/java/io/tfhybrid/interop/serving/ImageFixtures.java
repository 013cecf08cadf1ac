package io.tfhybrid.interop.serving;

import io.tfhybrid.nn.HostTensor;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** Synthetic pictures for decode/resize tests, and their pixels as the model input. */
final class ImageFixtures {
  private ImageFixtures() {}

  /** A smooth, photo-like RGB picture: a few random colour blobs over gradients. */
  static BufferedImage photoLike(int width, int height, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] blobs = new double[5][];
    for (int i = 0; i < blobs.length; i++) {
      blobs[i] =
          new double[] {
            r.nextDouble() * width,
            r.nextDouble() * height,
            3 + r.nextDouble() * width / 3,
            r.nextInt(256),
            r.nextInt(256),
            r.nextInt(256)
          };
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double[] rgb = {60 + 120.0 * x / width, 40 + 150.0 * y / height, 90};
        for (double[] b : blobs) {
          double d2 = ((x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1])) / (b[2] * b[2]);
          double w = Math.exp(-d2);
          for (int c = 0; c < 3; c++) {
            rgb[c] = rgb[c] * (1 - w) + b[3 + c] * w;
          }
        }
        int px = 0;
        for (int c = 0; c < 3; c++) {
          px = (px << 8) | (int) Math.max(0, Math.min(255, Math.round(rgb[c])));
        }
        img.setRGB(x, y, px);
      }
    }
    return img;
  }

  /** [1, H, W, 3] float32 RGB 0-255. */
  static HostTensor pixels(BufferedImage img) {
    int h = img.getHeight();
    int w = img.getWidth();
    float[] f = new float[h * w * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int px = img.getRGB(x, y);
        int i = (y * w + x) * 3;
        f[i] = (px >> 16) & 0xff;
        f[i + 1] = (px >> 8) & 0xff;
        f[i + 2] = px & 0xff;
      }
    }
    return HostTensor.ofFloats(new long[] {1, h, w, 3}, f);
  }
}
