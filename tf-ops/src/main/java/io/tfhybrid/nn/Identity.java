package io.tfhybrid.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A parameter-free pass-through: {@code nn.Identity}, and {@code nn.Dropout}/{@code DropPath},
 * which are identities in inference. It exists so Sequential indices match PyTorch's.
 */
public final class Identity extends Module {
  private final String torchName;

  public Identity() {
    this("Identity");
  }

  /** {@code torchName} documents what the reference has at this index (e.g. "Dropout"). */
  public Identity(String torchName) {
    this.torchName = torchName;
  }

  public static Identity dropout() {
    return new Identity("Dropout");
  }

  public static Identity dropPath() {
    return new Identity("DropPath");
  }

  public String torchName() {
    return torchName;
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
    return x;
  }
}
