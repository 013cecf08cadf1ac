package io.tfhybrid.interop.serving;

import io.tfhybrid.arch.Preprocessing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.op.image.DecodePng;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;

/**
 * The Python evaluation transform as graph ops, for one encoded image: what {@code
 * Image.open(f).convert('RGB')} then torchvision's {@code Resize} and {@code CenterCrop} give,
 * pixel for pixel (Pillow 9.4's {@code Resample.c}, torchvision 0.14's size and offset rules).
 *
 * <ul>
 *   <li><b>Decode.</b> JPEG (magic {@code FF D8 FF}) goes to {@code DecodeJpeg} with the accurate
 *       integer IDCT ({@code INTEGER_ACCURATE} = libjpeg's {@code JDCT_ISLOW}, PIL's default; TF's
 *       default is the fast one) and fancy upsampling, as PIL decodes. Every other file goes to
 *       {@code DecodeImage} (PNG, GIF first frame, BMP). The choice is a {@code Switch}/{@code
 *       Merge} on the file's first bytes, so only the chosen decoder runs. Three channels: grey is
 *       replicated and alpha dropped without compositing, as PIL's {@code convert('RGB')} does. A
 *       16-bit greyscale PNG is clipped at 255 as PIL's mode {@code I} → RGB conversion does.
 *   <li><b>Resize.</b> PIL's two separable passes, horizontal then vertical, each with PIL's
 *       coefficients ({@code precompute_coeffs}: support scaled by the downscale factor, triangle
 *       for bilinear, Keys a = -0.5 for bicubic, normalised per output pixel) converted to PIL's
 *       22-bit fixed point, and each pass rounded and clipped to uint8 as PIL's {@code clip8} does.
 *       A pass is a sparse (banded) matrix product in float64, where the integer sums are exact.
 *   <li><b>Crop.</b> Only the output rows and columns inside the center crop are computed (each
 *       output pixel depends on its own coefficients only), at torchvision's offsets {@code
 *       int(round((size - crop) / 2))}, rounded half to even. A crop larger than the resized image
 *       (a non-square input size in {@code CENTER} mode) gets torchvision's zero padding.
 * </ul>
 */
final class PilTransform {
  private PilTransform() {}

  /** PIL's {@code PRECISION_BITS} (32 - 8 - 2): the fixed-point scale of the 8-bit resampler. */
  private static final double ONE = 1 << 22;

  /** JPEG's SOI marker and the first byte of the next marker, at byte 0. */
  private static final String JPEG_MAGIC = "\u00ff\u00d8\u00ff";

  /** PNG's signature and the IHDR chunk's length and type, at byte 0. */
  private static final String PNG_IHDR = "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR";

  /** IHDR's bit depth 16 and colour type 0 (greyscale), at byte 24. */
  private static final String DEPTH16_GREY = "\u0010\u0000";

  /** How many leading bytes the format checks read. */
  private static final int HEAD = 26;

  /**
   * One encoded image (scalar string) → uint8 [H, W, 3], as {@code Image.open(f).convert('RGB')}.
   */
  static Operand<TUint8> decode(Ops tf, Operand<TString> encoded) {
    // The first bytes, padded with NULs so that every check below reads inside the string.
    Operand<TString> head =
        tf.strings.join(
            List.of(
                tf.strings.substr(encoded, tf.constant(0), tf.constant(HEAD)),
                tf.constant(StandardCharsets.ISO_8859_1, "\u0000".repeat(HEAD))));
    SwitchCond<TString> route = tf.switchCond(encoded, bytesAt(tf, head, 0, JPEG_MAGIC));
    Operand<TUint8> jpeg =
        tf.image.decodeJpeg(
            route.outputTrue(),
            DecodeJpeg.channels(3L),
            DecodeJpeg.dctMethod("INTEGER_ACCURATE"),
            DecodeJpeg.fancyUpscaling(true));
    // 16-bit greyscale PNG: PIL opens it as mode I, and convert('RGB') clips the values at 255
    // where TF would scale them down to 8 bits.
    Operand<TBool> grey16 =
        tf.math.logicalAnd(bytesAt(tf, head, 0, PNG_IHDR), bytesAt(tf, head, 24, DEPTH16_GREY));
    SwitchCond<TString> png = tf.switchCond(route.outputFalse(), grey16);
    Operand<TUint8> clipped =
        tf.dtypes.cast(
            tf.math.minimum(
                tf.image.decodePng(png.outputTrue(), TUint16.class, DecodePng.channels(3L)),
                tf.dtypes.cast(tf.constant(255), TUint16.class)),
            TUint8.class);
    Operand<TUint8> other =
        tf.image.decodeImage(
            png.outputFalse(),
            new DecodeImage.Options[] {
              DecodeImage.channels(3L), DecodeImage.expandAnimations(false)
            });
    return tf.withName("decoded").merge(List.of(jpeg, clipped, other)).output();
  }

  /** Whether {@code s} holds the bytes of {@code value} (ISO-8859-1) at {@code pos}. */
  private static Operand<TBool> bytesAt(Ops tf, Operand<TString> s, int pos, String value) {
    return tf.math.equal(
        tf.strings.substr(s, tf.constant(pos), tf.constant(value.length())),
        tf.constant(StandardCharsets.ISO_8859_1, value));
  }

  /**
   * Decoded uint8 [H, W, 3] → float32 [cropH, cropW, 3] with integer values 0-255: torchvision's
   * {@code Resize} (PIL, antialiased) then {@code CenterCrop}, as {@code p} says.
   */
  static Operand<TFloat32> resizeCrop(Ops tf, Operand<TUint8> decoded, Preprocessing p) {
    Operand<TInt32> shape = tf.shape(decoded);
    Operand<TInt32> hi = dim(tf, shape, 0);
    Operand<TInt32> wi = dim(tf, shape, 1);
    Operand<TFloat64> h = tf.dtypes.cast(hi, TFloat64.class);
    Operand<TFloat64> w = tf.dtypes.cast(wi, TFloat64.class);
    Operand<TFloat64> outH;
    Operand<TFloat64> outW;
    if (p.cropMode() == Preprocessing.CropMode.CENTER) {
      // Keep the aspect ratio and cover resizeHeight x resizeWidth. For a square R that is
      // torchvision's Resize(R): the shorter side becomes R, the longer int(R * long / short).
      Operand<TFloat64> rh = tf.constant((double) p.resizeHeight());
      Operand<TFloat64> rw = tf.constant((double) p.resizeWidth());
      outH = tf.math.maximum(rh, tf.math.floor(tf.math.div(tf.math.mul(rw, h), w)));
      outW = tf.math.maximum(rw, tf.math.floor(tf.math.div(tf.math.mul(rh, w), h)));
    } else {
      // timm squash: both sides straight to the resize size; the aspect ratio is not kept.
      outH = tf.constant((double) p.resizeHeight());
      outW = tf.constant((double) p.resizeWidth());
    }
    Filter filter = Filter.of(p.interpolation());
    // Horizontal pass: [W, H*3] → [cropW, H*3]; rows of the product are output columns. The
    // transpose runs on the uint8 pixels, before the float64 copy.
    Operand<TFloat64> byColumn =
        tf.dtypes.cast(
            tf.reshape(
                tf.linalg.transpose(decoded, tf.constant(new int[] {1, 0, 2})),
                tf.stack(List.of(wi, tf.constant(-1)))),
            TFloat64.class);
    Operand<TFloat64> horizontal = pass(tf, byColumn, w, outW, p.cropWidth(), filter);
    // Vertical pass: [H, cropW*3] → [cropH, cropW*3].
    Operand<TFloat64> byRow =
        tf.reshape(
            tf.linalg.transpose(
                tf.reshape(
                    horizontal, tf.stack(List.of(tf.constant(p.cropWidth()), hi, tf.constant(3)))),
                tf.constant(new int[] {1, 0, 2})),
            tf.stack(List.of(hi, tf.constant(-1))));
    Operand<TFloat64> vertical = pass(tf, byRow, h, outH, p.cropHeight(), filter);
    return tf.reshape(
        tf.dtypes.cast(vertical, TFloat32.class),
        tf.constant(new long[] {p.cropHeight(), p.cropWidth(), 3}));
  }

  /**
   * One resampling pass along the first axis of {@code in} [inSize, N]: the {@code count} outputs
   * starting at the center-crop offset of an {@code outSize} resize → [count, N], rounded and
   * clipped to uint8 values as PIL's 8-bit resampler does.
   */
  private static Operand<TFloat64> pass(
      Ops tf,
      Operand<TFloat64> in,
      Operand<TFloat64> inSize,
      Operand<TFloat64> outSize,
      int count,
      Filter filter) {
    // PIL precompute_coeffs, in double as PIL computes it.
    Operand<TFloat64> scale = tf.math.div(inSize, outSize);
    Operand<TFloat64> filterScale = tf.math.maximum(scale, tf.constant(1.0));
    Operand<TFloat64> support = tf.math.mul(tf.constant(filter.support), filterScale);
    Operand<TInt32> ksize =
        tf.math.add(
            tf.math.mul(tf.dtypes.cast(tf.math.ceil(support), TInt32.class), tf.constant(2)),
            tf.constant(1));
    // torchvision CenterCrop: offset int(round((size - crop) / 2.0)) (TF Round is half to even
    // too). A crop larger than the resized image is padded with zeros first, (crop - size) // 2
    // before: those outputs get no taps, hence 0.
    Operand<TFloat64> cropSize = tf.constant((double) count);
    Operand<TFloat64> offset =
        tf.select(
            tf.math.greaterEqual(outSize, cropSize),
            tf.math.round(tf.math.div(tf.math.sub(outSize, cropSize), tf.constant(2.0))),
            tf.math.neg(
                tf.math.floor(tf.math.div(tf.math.sub(cropSize, outSize), tf.constant(2.0)))));
    Operand<TFloat64> xx =
        tf.math.add(
            offset,
            tf.dtypes.cast(
                tf.range(tf.constant(0), tf.constant(count), tf.constant(1)), TFloat64.class));
    Operand<TBool> inImage =
        tf.math.logicalAnd(
            tf.math.greaterEqual(xx, tf.constant(0.0)), tf.math.less(xx, outSize)); // [count]
    Operand<TFloat64> center = tf.math.mul(tf.math.add(xx, tf.constant(0.5)), scale); // [count]
    Operand<TFloat64> half = tf.constant(0.5);
    // (int)(center -/+ support + 0.5): floor, as the results are clamped at 0 and inSize.
    Operand<TFloat64> xmin =
        tf.math.maximum(
            tf.math.floor(tf.math.add(tf.math.sub(center, support), half)), tf.constant(0.0));
    Operand<TFloat64> xmax =
        tf.math.sub(
            tf.math.minimum(tf.math.floor(tf.math.add(tf.math.add(center, support), half)), inSize),
            xmin);
    Operand<TFloat64> x =
        tf.expandDims(
            tf.dtypes.cast(tf.range(tf.constant(0), ksize, tf.constant(1)), TFloat64.class),
            tf.constant(0)); // [1, K]
    Operand<TFloat64> pos = tf.math.add(tf.expandDims(xmin, tf.constant(1)), x); // [count, K]
    // filter((x + xmin - center + 0.5) * ss), ss = 1 / filterscale
    Operand<TFloat64> arg =
        tf.math.mul(
            tf.math.add(tf.math.sub(pos, tf.expandDims(center, tf.constant(1))), half),
            tf.math.div(tf.constant(1.0), filterScale));
    Operand<TBool> inside =
        tf.math.logicalAnd(
            tf.math.less(x, tf.expandDims(xmax, tf.constant(1))),
            tf.expandDims(inImage, tf.constant(1)));
    Operand<TFloat64> zero = tf.zerosLike(arg);
    Operand<TFloat64> k = tf.select(inside, filter.apply(tf, arg), zero);
    // ww: PIL adds the taps left to right; a running sum's last column keeps that order (a
    // reduction may add in another order and move the normalised weights by an ulp).
    Operand<TFloat64> ww =
        tf.expandDims(
            tf.gather(
                tf.math.cumsum(k, tf.constant(1)),
                tf.math.sub(ksize, tf.constant(1)),
                tf.constant(1)),
            tf.constant(1));
    Operand<TFloat64> safe = tf.select(tf.math.equal(ww, tf.zerosLike(ww)), tf.onesLike(ww), ww);
    k = tf.math.div(k, safe);
    // normalize_coeffs_8bpc: (int)(±0.5 + k * 2^22), i.e. rounded half away from zero.
    Operand<TFloat64> fixed =
        tf.math.mul(
            tf.math.sign(k),
            tf.math.floor(tf.math.add(tf.math.abs(tf.math.mul(k, tf.constant(ONE))), half)));
    // The banded matrix [count, inSize] as a sparse tensor: (j, pos) → fixed; taps past xmax
    // carry weight 0 and a column clamped into range.
    Operand<TInt64> rows =
        tf.dtypes.cast(
            tf.math.mul(
                tf.expandDims(
                    tf.range(tf.constant(0), tf.constant(count), tf.constant(1)), tf.constant(1)),
                tf.onesLike(tf.dtypes.cast(pos, TInt32.class))),
            TInt64.class);
    Operand<TInt64> cols =
        tf.dtypes.cast(tf.math.minimum(pos, tf.math.sub(inSize, tf.constant(1.0))), TInt64.class);
    Operand<TInt64> indices =
        tf.reshape(tf.stack(List.of(rows, cols), Stack.axis(2L)), tf.constant(new long[] {-1, 2}));
    Operand<TInt64> denseShape =
        tf.stack(List.of(tf.constant((long) count), tf.dtypes.cast(inSize, TInt64.class)));
    Operand<TFloat64> sums =
        tf.sparse.sparseTensorDenseMatMul(
            indices, tf.reshape(fixed, tf.constant(new long[] {-1})), denseShape, in);
    // clip8: (sum + 2^21) >> 22, clipped to 0-255.
    Operand<TFloat64> rounded =
        tf.math.floor(tf.math.div(tf.math.add(sums, tf.constant(ONE / 2)), tf.constant(ONE)));
    return tf.clipByValue(rounded, tf.constant(0.0), tf.constant(255.0));
  }

  /** {@code shape[axis]} as a scalar. */
  private static Operand<TInt32> dim(Ops tf, Operand<TInt32> shape, int axis) {
    return tf.reshape(
        tf.slice(shape, tf.constant(new int[] {axis}), tf.constant(new int[] {1})),
        tf.constant(new long[0]));
  }

  /** PIL's resampling filters ({@code Resample.c}), evaluated in the order PIL's C code does. */
  private enum Filter {
    /** {@code bilinear_filter}: the triangle, support 1. */
    TRIANGLE(1.0) {
      @Override
      Operand<TFloat64> apply(Ops tf, Operand<TFloat64> x) {
        Operand<TFloat64> ax = tf.math.abs(x);
        Operand<TFloat64> one = tf.constant(1.0);
        return tf.select(tf.math.less(ax, one), tf.math.sub(one, ax), tf.zerosLike(ax));
      }
    },
    /** {@code bicubic_filter}: Keys' cubic with a = -0.5, support 2. */
    CUBIC(2.0) {
      @Override
      Operand<TFloat64> apply(Ops tf, Operand<TFloat64> x) {
        Operand<TFloat64> ax = tf.math.abs(x);
        double a = -0.5;
        // ((a + 2) * x - (a + 3)) * x * x + 1
        Operand<TFloat64> near =
            tf.math.add(
                tf.math.mul(
                    tf.math.mul(
                        tf.math.sub(tf.math.mul(tf.constant(a + 2), ax), tf.constant(a + 3)), ax),
                    ax),
                tf.constant(1.0));
        // (((x - 5) * x + 8) * x - 4) * a
        Operand<TFloat64> far =
            tf.math.mul(
                tf.math.sub(
                    tf.math.mul(
                        tf.math.add(
                            tf.math.mul(tf.math.sub(ax, tf.constant(5.0)), ax), tf.constant(8.0)),
                        ax),
                    tf.constant(4.0)),
                tf.constant(a));
        return tf.select(
            tf.math.less(ax, tf.constant(1.0)),
            near,
            tf.select(tf.math.less(ax, tf.constant(2.0)), far, tf.zerosLike(ax)));
      }
    };

    final double support;

    Filter(double support) {
      this.support = support;
    }

    abstract Operand<TFloat64> apply(Ops tf, Operand<TFloat64> x);

    static Filter of(Preprocessing.Interpolation interpolation) {
      return switch (interpolation) {
        case BILINEAR -> TRIANGLE;
        case BICUBIC -> CUBIC;
      };
    }
  }
}
