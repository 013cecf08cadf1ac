package io.tfhybrid.interop;

import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;

/**
 * The two value ranges of an NHWC image batch: RGB pixels 0–255 (what {@code serving_default}
 * takes and normalises in its graph) and the normalised model input {@code (x / 255 − mean) / std}
 * (what PyTorch and the built graph take).
 */
public final class ImageTensors {
  private ImageTensors() {}

  /** RGB 0–255 pixels {@code [N, H, W, 3]} → the normalised model input, as {@code p} says. */
  public static HostTensor normalizedFromPixels(HostTensor pixelsNhwc, Preprocessing p) {
    float[] f = rgbLast(pixelsNhwc).toFloatArray();
    for (int i = 0; i < f.length; i++) {
      int c = i % 3;
      f[i] = (f[i] / 255f - p.mean().get(c)) / p.std().get(c);
    }
    return HostTensor.ofFloats(pixelsNhwc.shape(), f);
  }

  /** The normalised model input {@code [N, H, W, 3]} → the RGB 0–255 pixels it came from. */
  public static HostTensor pixelsFromNormalized(HostTensor normalizedNhwc, Preprocessing p) {
    float[] f = rgbLast(normalizedNhwc).toFloatArray();
    for (int i = 0; i < f.length; i++) {
      int c = i % 3;
      f[i] = (f[i] * p.std().get(c) + p.mean().get(c)) * 255f;
    }
    return HostTensor.ofFloats(normalizedNhwc.shape(), f);
  }

  private static HostTensor rgbLast(HostTensor nhwc) {
    long[] s = nhwc.shape();
    Checks.checkArg(
        s.length == 4 && s[3] == 3,
        "expected an NHWC image batch [N, H, W, 3], found %s",
        Checks.shape(s));
    return nhwc;
  }
}
