package io.tfhybrid.interop.serving;

import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Host tensors ↔ TensorFlow tensors, by raw bytes. TensorFlow keeps tensors in host byte order;
 * {@link HostTensor} is little-endian, which is the same on every platform TF Java ships for.
 */
public final class Tensors {
  private Tensors() {}

  /** The TensorFlow type class of a dtype; bf16, f16, f32, f64, i32, i64, u8 and bool have one. */
  public static Class<? extends TType> typeOf(DType dtype) {
    return switch (dtype) {
      case F32 -> TFloat32.class;
      case F64 -> TFloat64.class;
      case F16 -> TFloat16.class;
      case BF16 -> TBfloat16.class;
      case I32 -> TInt32.class;
      case I64 -> TInt64.class;
      case U8 -> TUint8.class;
      case BOOL -> TBool.class;
      case I8, I16 ->
          throw new IllegalArgumentException(
              "TensorFlow Java has no tensor type for "
                  + dtype.torchName()
                  + "; expected float16/bfloat16/float32/float64/int32/int64/uint8/bool");
    };
  }

  /** Our dtype of a TensorFlow data type, for the numeric types we can hold. */
  public static DType dtypeOf(DataType dt) {
    return switch (dt) {
      case DT_FLOAT -> DType.F32;
      case DT_DOUBLE -> DType.F64;
      case DT_HALF -> DType.F16;
      case DT_BFLOAT16 -> DType.BF16;
      case DT_INT32 -> DType.I32;
      case DT_INT64 -> DType.I64;
      case DT_INT16 -> DType.I16;
      case DT_INT8 -> DType.I8;
      case DT_UINT8 -> DType.U8;
      case DT_BOOL -> DType.BOOL;
      default ->
          throw new IllegalArgumentException(
              "tensors of type "
                  + dt
                  + " cannot be held as numbers (strings, resources and variants are not numeric)");
    };
  }

  /** A new TensorFlow tensor with {@code t}'s dtype, shape and values (the caller closes it). */
  public static Tensor toTensor(HostTensor t) {
    ByteBuffer src = t.data();
    byte[] bytes = new byte[src.remaining()];
    src.get(bytes);
    ByteDataBuffer raw = DataBuffers.of(bytes, true, false);
    return Tensor.of(typeOf(t.dtype()), Shape.of(t.shape()), raw);
  }

  /** A copy of a numeric TensorFlow tensor on the heap. */
  public static HostTensor toHost(Tensor t) {
    DType dtype = dtypeOf(t.dataType());
    byte[] bytes = new byte[Math.toIntExact(t.numBytes())];
    t.asRawTensor().data().read(bytes);
    return HostTensor.of(
        dtype, t.shape().asArray(), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** A string vector {@code [n]} of raw bytes (e.g. encoded images). */
  public static TString strings(List<byte[]> values) {
    return TString.tensorOfBytes(NdArrays.vectorOfObjects(values.toArray(new byte[0][])));
  }
}
