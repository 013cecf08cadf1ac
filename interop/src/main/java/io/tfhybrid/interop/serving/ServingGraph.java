package io.tfhybrid.interop.serving;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Ctx;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.TensorListStack;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * The serving subgraphs added to a loaded {@link BuiltModel}'s graph: the public inputs, the
 * in-graph preprocessing (decode, resize, crop, normalise) and one emission of the model per input
 * path, all reading the model's existing variables (named by state_dict key).
 */
final class ServingGraph {
  private ServingGraph() {}

  /** The tensors the three signatures expose. */
  record Heads(
      Placeholder<TFloat32> images,
      Operand<TFloat32> logits,
      Operand<TFloat32> probabilities,
      Operand<TFloat32> features,
      Placeholder<TString> imageBytes,
      Operand<TFloat32> bytesLogits,
      Operand<TFloat32> bytesProbabilities) {}

  /**
   * Adds {@code images} → (normalise → model) and {@code image_bytes} → (decode → resize/crop →
   * normalise → model) to {@code model}'s graph. The model is emitted under the sub-scopes {@code
   * serving_default/} and {@code serving_bytes/}; the {@code features} signature shares the first
   * emission.
   */
  static Heads build(BuiltModel model, Preprocessing p) {
    ClassifierModel root = model.root();
    long h = model.height();
    long w = model.width();
    Checks.checkArg(
        p.cropHeight() == h && p.cropWidth() == w,
        "preprocessing crops %sx%s but the model '%s' was built for %sx%s inputs",
        p.cropHeight(),
        p.cropWidth(),
        model.name(),
        h,
        w);
    Ops tf = Ops.create(model.graph());

    Placeholder<TFloat32> images =
        tf.withName(ServingSignatures.INPUT_IMAGES)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, 3)));
    Ops d = tf.withSubScope(ServingSignatures.SERVING_DEFAULT);
    ClassifierModel.Heads a = root.emit(Ctx.root(d, model.weights()), normalize(d, images, p));
    Operand<TFloat32> logits =
        d.withName(ServingSignatures.OUTPUT_LOGITS)
            .ensureShape(a.logits(), Shape.of(-1, root.numClasses()));
    Operand<TFloat32> probabilities =
        d.withName(ServingSignatures.OUTPUT_PROBABILITIES).nn.softmax(logits);
    Operand<TFloat32> features =
        d.withName(ServingSignatures.OUTPUT_FEATURES)
            .ensureShape(a.features(), Shape.of(-1, root.featureDim()));

    Placeholder<TString> bytes =
        tf.withName(ServingSignatures.INPUT_IMAGE_BYTES)
            .placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
    Ops b = tf.withSubScope(ServingSignatures.SERVING_BYTES);
    Operand<TFloat32> decoded = decodeImages(model.graph(), b, bytes, p, "serving_bytes_decode");
    ClassifierModel.Heads c = root.emit(Ctx.root(b, model.weights()), normalize(b, decoded, p));
    Operand<TFloat32> bytesLogits =
        b.withName(ServingSignatures.OUTPUT_LOGITS)
            .ensureShape(c.logits(), Shape.of(-1, root.numClasses()));
    Operand<TFloat32> bytesProbabilities =
        b.withName(ServingSignatures.OUTPUT_PROBABILITIES).nn.softmax(bytesLogits);
    return new Heads(
        images, logits, probabilities, features, bytes, bytesLogits, bytesProbabilities);
  }

  /**
   * torchvision's {@code ToTensor} + {@code Normalize} on 0-255 RGB pixels: {@code (x / 255 - mean)
   * / std} per channel, in that order (so the rounding matches the reference pipeline).
   */
  static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> pixels, Preprocessing p) {
    Operand<TFloat32> unit = tf.math.div(pixels, tf.constant(255f));
    Operand<TFloat32> centred = tf.math.sub(unit, tf.constant(floats(p.mean())));
    return tf.withName("normalized").math.div(centred, tf.constant(floats(p.std())));
  }

  /**
   * Decodes a batch of encoded images (JPEG, PNG, GIF first frame, BMP; grayscale and RGBA become
   * RGB) and applies the evaluation transform to each, giving float32 {@code [N, cropH, cropW, 3]}
   * with integer values 0-255, as PIL would hand them to {@code ToTensor}.
   *
   * <p>Per image (torchvision {@code Resize(R)} + {@code CenterCrop}): the shorter side goes to R,
   * the longer to {@code int(R * long / short)} ({@link Preprocessing.CropMode#CENTER}; {@link
   * Preprocessing.CropMode#SQUASH} resizes both sides to the resize size), the crop offsets are
   * {@code round((size - crop) / 2)}. Resize and crop are one {@code ScaleAndTranslate} (output = crop size, translation = minus
   * the crop offset) with antialiasing, like PIL: Keys cubic (a = -0.5, PIL's bicubic) or triangle
   * (PIL's bilinear). The
   * result is rounded and clipped to 0-255 (PIL's uint8 output).
   *
   * <p>The batch is a TF while loop (the graph-mode {@code tf.map_fn}) that fills a TensorList.
   */
  static Operand<TFloat32> decodeImages(
      Graph graph, Ops tf, Operand<TString> bytes, Preprocessing p, String loopName) {
    int cropH = p.cropHeight();
    int cropW = p.cropWidth();
    Operand<TInt32> elementShape = tf.constant(new int[] {cropH, cropW, 3});
    Operand<TInt32> n = tf.withName("batch_size").shape.size(tf.shape(bytes), TInt32.class);
    Operand<?> list = tf.tensorListReserve(elementShape, n, TFloat32.class);
    Output<?>[] loopVars = {
      tf.constant(0).asOutput(), n.asOutput(), bytes.asOutput(), list.asOutput()
    };
    Output<?>[] done =
        graph.whileLoop(
            loopVars,
            (g, in, out) -> {
              Ops c = Ops.create(g);
              out[0] = c.math.less(int32(in[0]), int32(in[1])).asOutput();
            },
            (g, in, out) -> {
              Ops o = Ops.create(g);
              Operand<TInt32> i = int32(in[0]);
              @SuppressWarnings("unchecked")
              Operand<TString> all = (Operand<TString>) in[2];
              Operand<TFloat32> image = resizeCrop(o, o.gather(all, i, o.constant(0)), p);
              out[0] = o.math.add(i, o.constant(1)).asOutput();
              out[1] = in[1];
              out[2] = in[2];
              out[3] = o.tensorListSetItem(in[3], i, image).asOutput();
            },
            loopName);
    Operand<TFloat32> stacked =
        tf.tensorListStack(done[3], elementShape, TFloat32.class, TensorListStack.numElements(-1L));
    return tf.withName("pixels").reshape(stacked, tf.constant(new long[] {-1, cropH, cropW, 3}));
  }

  /** One encoded image (scalar string) → float32 [cropH, cropW, 3], values 0-255. */
  private static Operand<TFloat32> resizeCrop(Ops tf, Operand<TString> encoded, Preprocessing p) {
    Operand<TUint8> decoded =
        tf.image.decodeImage(
            encoded,
            new DecodeImage.Options[] {
              DecodeImage.channels(3L), DecodeImage.expandAnimations(false)
            });
    Operand<TFloat64> hw =
        tf.dtypes.cast(
            tf.slice(tf.shape(decoded), tf.constant(new int[] {0}), tf.constant(new int[] {2})),
            TFloat64.class);
    Operand<TFloat64> crop = tf.constant(new double[] {p.cropHeight(), p.cropWidth()});
    Operand<TFloat64> resized;
    Operand<TFloat64> offset;
    if (p.cropMode() == Preprocessing.CropMode.CENTER) {
      // Keep the aspect ratio, cover resizeHeight x resizeWidth: side = int(R * side / ref) for the
      // tighter of the two (R, ref) pairs. For a square R that is torchvision's Resize(R): the
      // shorter side becomes R exactly, the longer int(R * long / short).
      Operand<TFloat64> h = tf.slice(hw, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      Operand<TFloat64> w = tf.slice(hw, tf.constant(new int[] {1}), tf.constant(new int[] {1}));
      Operand<TFloat64> byHeight =
          tf.math.floor(tf.math.div(tf.math.mul(tf.constant((double) p.resizeHeight()), hw), h));
      Operand<TFloat64> byWidth =
          tf.math.floor(tf.math.div(tf.math.mul(tf.constant((double) p.resizeWidth()), hw), w));
      resized = tf.math.maximum(byHeight, byWidth);
    } else {
      // Squash: both sides straight to the resize size, the aspect ratio is not kept.
      resized = tf.constant(new double[] {p.resizeHeight(), p.resizeWidth()});
    }
    // Python round() (half to even) like torchvision's center_crop; tf Round is half to even too.
    offset = tf.math.round(tf.math.div(tf.math.sub(resized, crop), tf.constant(2.0)));
    Operand<TFloat32> scale = tf.dtypes.cast(tf.math.div(resized, hw), TFloat32.class);
    Operand<TFloat32> translation = tf.dtypes.cast(tf.math.neg(offset), TFloat32.class);
    Operand<TFloat32> batch1 =
        tf.expandDims(tf.dtypes.cast(decoded, TFloat32.class), tf.constant(0));
    Operand<TFloat32> out =
        tf.image.scaleAndTranslate(
            batch1,
            tf.constant(new int[] {p.cropHeight(), p.cropWidth()}),
            scale,
            translation,
            ScaleAndTranslate.kernelType(kernel(p.interpolation())),
            ScaleAndTranslate.antialias(true));
    Operand<TFloat32> pixels =
        tf.clipByValue(tf.math.round(out), tf.constant(0f), tf.constant(255f));
    return tf.reshape(pixels, tf.constant(new long[] {p.cropHeight(), p.cropWidth(), 3}));
  }

  /** ScaleAndTranslate kernels matching PIL's filters. */
  static String kernel(Preprocessing.Interpolation interpolation) {
    return switch (interpolation) {
      case BICUBIC -> "keyscubic";
      case BILINEAR -> "triangle";
    };
  }

  @SuppressWarnings("unchecked")
  private static Operand<TInt32> int32(Output<?> o) {
    return (Operand<TInt32>) o;
  }

  private static float[] floats(List<Float> values) {
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i);
    }
    return f;
  }
}
