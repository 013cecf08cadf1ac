package io.tfhybrid.interop.serving;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.LookupScope;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.TensorListStack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * The serving subgraphs added to a loaded {@link BuiltModel}'s graph: the public inputs, the
 * in-graph preprocessing (decode, resize, crop, normalise) and one emission of the model that both
 * input paths share, reading the model's existing variables (named by state_dict key).
 */
final class ServingGraph {
  private ServingGraph() {}

  /**
   * The tensors the three signatures expose. Both input paths share one emission of the model:
   * {@code serving_bytes} computes the same {@code logits} and {@code probabilities} tensors as
   * {@code serving_default}, from {@code image_bytes} instead of a fed {@code images}.
   */
  record Heads(
      Operand<TFloat32> images,
      Operand<TFloat32> logits,
      Operand<TFloat32> probabilities,
      Operand<TFloat32> features,
      Placeholder<TString> imageBytes) {}

  /**
   * Adds {@code image_bytes} → (decode → resize/crop) → {@code images} → (normalise → model) to
   * {@code model}'s graph, the model emitted once, under the sub-scope {@code serving_default/}.
   * {@code images} is a {@code PlaceholderWithDefault} over the decoded pixels: {@code
   * serving_default} and {@code features} feed it (so nothing is decoded), {@code serving_bytes}
   * feeds {@code image_bytes} and {@code images} takes the decoded pixels.
   */
  static Heads build(BuiltModel model, Preprocessing p) {
    synchronized (model) { // as BuiltModel's own emission: one writer of the graph's names
      return buildLocked(model, p);
    }
  }

  private static Heads buildLocked(BuiltModel model, Preprocessing p) {
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
    Ops tf = LookupScope.ops(model.graph()); // sub-scopes without a walk over the whole graph

    Placeholder<TString> bytes =
        tf.withName(ServingSignatures.INPUT_IMAGE_BYTES)
            .placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
    Ops b = tf.withSubScope(ServingSignatures.SERVING_BYTES);
    Operand<TFloat32> decoded = decodeImages(model.graph(), b, bytes, p, "serving_bytes_decode");
    Operand<TFloat32> images =
        tf.withName(ServingSignatures.INPUT_IMAGES)
            .placeholderWithDefault(decoded, Shape.of(-1, h, w, 3));

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
    return new Heads(images, logits, probabilities, features, bytes);
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
   * <p>Per image, {@link PilTransform}: PIL's decode (accurate IDCT for JPEG), PIL's two-pass
   * fixed-point resize and torchvision's center crop, pixel for pixel.
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
              Operand<TString> encoded = o.gather(all, i, o.constant(0));
              Operand<TFloat32> image =
                  PilTransform.resizeCrop(o, PilTransform.decode(o, encoded), p);
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
