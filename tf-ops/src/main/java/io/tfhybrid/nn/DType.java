package io.tfhybrid.nn;

/**
 * Element types a checkpoint can hold. Names follow the safetensors spelling; {@link #torchName}
 * is what PyTorch prints. Only {@link #F32} and {@link #I64} ever reach a TensorFlow graph:
 * F16/BF16/F64 weights are widened (or narrowed) to float32 on load.
 */
public enum DType {
  F32(4, "torch.float32"),
  F16(2, "torch.float16"),
  BF16(2, "torch.bfloat16"),
  F64(8, "torch.float64"),
  I64(8, "torch.int64"),
  I32(4, "torch.int32"),
  I16(2, "torch.int16"),
  I8(1, "torch.int8"),
  U8(1, "torch.uint8"),
  BOOL(1, "torch.bool");

  private final int byteSize;
  private final String torchName;

  DType(int byteSize, String torchName) {
    this.byteSize = byteSize;
    this.torchName = torchName;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The PyTorch spelling, e.g. {@code torch.float16}, for error messages. */
  public String torchName() {
    return torchName;
  }

  /** True for the floating-point types (which load into float32 variables). */
  public boolean isFloating() {
    return this == F32 || this == F16 || this == BF16 || this == F64;
  }
}
