package io.tfhybrid.interop.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tfhybrid.interop.serving.proto.DataType;
import io.tfhybrid.interop.serving.proto.ModelSpec;
import io.tfhybrid.interop.serving.proto.PredictLog;
import io.tfhybrid.interop.serving.proto.PredictRequest;
import io.tfhybrid.interop.serving.proto.PredictionLog;
import io.tfhybrid.interop.serving.proto.TensorProto;
import io.tfhybrid.interop.serving.proto.TensorShapeProto;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * TF Serving's SavedModel warmup file: {@code assets.extra/tf_serving_warmup_requests}, a TFRecord
 * file of {@code PredictionLog} records, each holding a {@code PredictRequest}. TF Serving runs
 * them once after loading a version and before sending it traffic.
 */
public final class WarmupRequests {
  private WarmupRequests() {}

  /** Value of every pixel of the {@code images} warmup tensor (mid-gray). */
  static final float GRAY = 128f;

  /**
   * One request per exported signature: a mid-gray {@code [1, H, W, 3]} image for {@code
   * serving_default} and {@code features} (one float value, which TensorFlow repeats over the
   * shape), and a JPEG plus a PNG of a small synthetic picture for {@code serving_bytes} (so both
   * decoders and the resize run).
   */
  public static List<PredictionLog> forExport(String modelName, long height, long width) {
    TensorProto images = floatTensor(new long[] {1, height, width, 3}, new float[] {GRAY});
    BufferedImage picture = samplePicture(48, 40);
    TensorProto bytes = stringTensor(List.of(encode(picture, "jpg"), encode(picture, "png")));
    List<PredictionLog> logs = new ArrayList<>();
    logs.add(
        request(
            modelName, ServingSignatures.SERVING_DEFAULT, ServingSignatures.INPUT_IMAGES, images));
    logs.add(
        request(
            modelName,
            ServingSignatures.SERVING_BYTES,
            ServingSignatures.INPUT_IMAGE_BYTES,
            bytes));
    logs.add(
        request(modelName, ServingSignatures.FEATURES, ServingSignatures.INPUT_IMAGES, images));
    return logs;
  }

  static PredictionLog request(String model, String signature, String input, TensorProto value) {
    PredictRequest req =
        PredictRequest.newBuilder()
            .setModelSpec(ModelSpec.newBuilder().setName(model).setSignatureName(signature))
            .putInputs(input, value)
            .build();
    return PredictionLog.newBuilder()
        .setPredictLog(PredictLog.newBuilder().setRequest(req))
        .build();
  }

  public static void write(Path file, List<PredictionLog> logs) throws IOException {
    TfRecords.writeFile(file, logs.stream().map(PredictionLog::toByteArray).toList());
  }

  /** Reads a warmup file back, checking the TFRecord framing and CRCs. */
  public static List<PredictionLog> read(Path file) throws IOException {
    List<PredictionLog> out = new ArrayList<>();
    List<byte[]> records = TfRecords.readFile(file);
    for (int i = 0; i < records.size(); i++) {
      try {
        out.add(PredictionLog.parseFrom(records.get(i)));
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(
            "'"
                + file.getFileName()
                + "' record "
                + i
                + " is not a PredictionLog: "
                + e.getMessage(),
            e);
      }
    }
    return out;
  }

  /** A float tensor; fewer values than elements repeat the last one, as TensorFlow reads it. */
  public static TensorProto floatTensor(long[] shape, float[] values) {
    TensorProto.Builder b =
        TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(shape));
    for (float v : values) {
      b.addFloatVal(v);
    }
    return b.build();
  }

  /** A string vector. */
  public static TensorProto stringTensor(List<byte[]> values) {
    TensorProto.Builder b =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_STRING)
            .setTensorShape(shape(new long[] {values.size()}));
    values.forEach(v -> b.addStringVal(ByteString.copyFrom(v)));
    return b.build();
  }

  static TensorShapeProto shape(long[] dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return s.build();
  }

  /**
   * The TensorFlow tensor a TensorProto describes (float, int32, int64 and string), with
   * TensorFlow's rules: {@code tensor_content} wins; a shorter value list repeats its last value;
   * no values at all means zeros. The caller closes the tensor.
   */
  public static Tensor toTensor(TensorProto t) {
    long[] dims =
        t.getTensorShape().getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    Shape shape = Shape.of(dims);
    int n = Math.toIntExact(shape.size());
    ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (t.getDtype()) {
      case DT_FLOAT -> {
        float[] f = new float[n];
        if (content.hasRemaining()) {
          content.asFloatBuffer().get(f);
        } else {
          fill(f, t.getFloatValList());
        }
        return TFloat32.tensorOf(shape, DataBuffers.of(f, true, false));
      }
      case DT_INT32 -> {
        int[] v = new int[n];
        if (content.hasRemaining()) {
          content.asIntBuffer().get(v);
        } else {
          List<Integer> l = t.getIntValList();
          for (int i = 0; i < n && !l.isEmpty(); i++) {
            v[i] = l.get(Math.min(i, l.size() - 1));
          }
        }
        return TInt32.tensorOf(shape, DataBuffers.of(v, true, false));
      }
      case DT_INT64 -> {
        long[] v = new long[n];
        if (content.hasRemaining()) {
          content.asLongBuffer().get(v);
        } else {
          List<Long> l = t.getInt64ValList();
          for (int i = 0; i < n && !l.isEmpty(); i++) {
            v[i] = l.get(Math.min(i, l.size() - 1));
          }
        }
        return TInt64.tensorOf(shape, DataBuffers.of(v, true, false));
      }
      case DT_STRING -> {
        List<ByteString> l = t.getStringValList();
        if (l.size() != n) {
          throw new IllegalArgumentException(
              "string TensorProto of shape "
                  + Arrays.toString(dims)
                  + ": expected "
                  + n
                  + " values, found "
                  + l.size());
        }
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
          values[i] = l.get(i).toByteArray();
        }
        if (dims.length == 0) {
          return TString.tensorOfBytes(org.tensorflow.ndarray.NdArrays.scalarOfObject(values[0]));
        }
        if (dims.length != 1) {
          throw new IllegalArgumentException(
              "string TensorProto of shape "
                  + Arrays.toString(dims)
                  + ": only scalars and vectors are supported");
        }
        return TString.tensorOfBytes(org.tensorflow.ndarray.NdArrays.vectorOfObjects(values));
      }
      default ->
          throw new IllegalArgumentException(
              "TensorProto of type "
                  + t.getDtype()
                  + " is not supported here; expected DT_FLOAT, DT_INT32, DT_INT64 or DT_STRING");
    }
  }

  private static void fill(float[] f, List<Float> values) {
    for (int i = 0; i < f.length && !values.isEmpty(); i++) {
      f[i] = values.get(Math.min(i, values.size() - 1));
    }
  }

  /** A smooth synthetic RGB picture (gradients and a disc), deterministic. */
  static BufferedImage samplePicture(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = 255 * x / (width - 1);
        int g = 255 * y / (height - 1);
        double dx = x - width / 2.0;
        double dy = y - height / 2.0;
        int b = dx * dx + dy * dy < (height / 3.0) * (height / 3.0) ? 220 : 40;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }

  /** Encodes with ImageIO ("jpg" or "png"). */
  static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("ImageIO has no writer for '" + format + "'");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
