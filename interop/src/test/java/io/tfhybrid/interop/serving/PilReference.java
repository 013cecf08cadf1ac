package io.tfhybrid.interop.serving;

import io.tfhybrid.arch.Preprocessing;

/**
 * A host transcription of PIL's {@code ImagingResample} (Resample.c: antialiased separable
 * resampling, horizontal pass then vertical, each rounded to uint8) followed by torchvision's
 * {@code Resize(int)} size rule and {@code CenterCrop} offsets. Test reference only.
 */
final class PilReference {
  private PilReference() {}

  /** HWC 0-255 floats of an h×w image → the cropped HWC result. */
  static float[] resizeCrop(float[] hwc, int h, int w, Preprocessing p) {
    int newH;
    int newW;
    if (p.cropMode() == Preprocessing.CropMode.CENTER) {
      // The smallest aspect-keeping size covering the resize size (square R: torchvision Resize(R)).
      int rh = p.resizeHeight();
      int rw = p.resizeWidth();
      newH = Math.max((int) ((double) rh * h / h), (int) ((double) rw * h / w));
      newW = Math.max((int) ((double) rh * w / h), (int) ((double) rw * w / w));
    } else {
      newH = p.resizeHeight();
      newW = p.resizeWidth();
    }
    boolean cubic = p.interpolation() == Preprocessing.Interpolation.BICUBIC;
    float[] horizontal = pass(hwc, h, w, newW, cubic, true);
    float[] both = pass(horizontal, h, newW, newH, cubic, false);
    int top = (int) Math.rint((newH - p.cropHeight()) / 2.0);
    int left = (int) Math.rint((newW - p.cropWidth()) / 2.0);
    float[] out = new float[p.cropHeight() * p.cropWidth() * 3];
    for (int y = 0; y < p.cropHeight(); y++) {
      for (int x = 0; x < p.cropWidth(); x++) {
        for (int c = 0; c < 3; c++) {
          out[(y * p.cropWidth() + x) * 3 + c] = both[((y + top) * newW + x + left) * 3 + c];
        }
      }
    }
    return out;
  }

  /** One resampling pass along x (horizontal) or y, rounding and clipping to uint8. */
  private static float[] pass(
      float[] in, int h, int w, int outSize, boolean cubic, boolean horizontal) {
    int inSize = horizontal ? w : h;
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = (cubic ? 2.0 : 1.0) * filterScale;
    int outH = horizontal ? h : outSize;
    int outW = horizontal ? outSize : w;
    float[] out = new float[outH * outW * 3];
    for (int o = 0; o < outSize; o++) {
      double center = (o + 0.5) * scale;
      int min = Math.max((int) (center - support + 0.5), 0);
      int max = Math.min((int) (center + support + 0.5), inSize);
      double[] k = new double[max - min];
      double total = 0;
      for (int i = 0; i < k.length; i++) {
        double x = (i + min - center + 0.5) / filterScale;
        k[i] = cubic ? bicubic(x) : Math.max(0, 1 - Math.abs(x));
        total += k[i];
      }
      for (int i = 0; i < k.length; i++) {
        k[i] /= total;
      }
      int lines = horizontal ? h : w;
      for (int line = 0; line < lines; line++) {
        for (int c = 0; c < 3; c++) {
          double acc = 0;
          for (int i = 0; i < k.length; i++) {
            int src = horizontal ? (line * w + min + i) * 3 + c : ((min + i) * w + line) * 3 + c;
            acc += k[i] * in[src];
          }
          int dst = horizontal ? (line * outW + o) * 3 + c : (o * outW + line) * 3 + c;
          out[dst] = (float) Math.max(0, Math.min(255, Math.floor(acc + 0.5)));
        }
      }
    }
    return out;
  }

  /** PIL's bicubic filter, a = -0.5. */
  private static double bicubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }
}
