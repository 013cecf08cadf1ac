package io.tfhybrid.arch;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The root module of an image classifier: NHWC float32 input, pooled pre-head features, logits.
 */
public abstract class ClassifierModel extends Module {

  public abstract Arch arch();

  public abstract int numClasses();

  /** Width of the pooled pre-head features (the classifier's input). */
  public abstract int featureDim();

  /**
   * Rejects an input size this model cannot run, before any graph exists, with a message that
   * states which sizes are legal for this configuration.
   */
  public abstract void checkInputSize(long height, long width);

  /**
   * Hints for a checkpoint that does not load: given its keys and torch shapes, say what it looks
   * like (another variant, other build flags, an unsupported release). Empty when nothing is known.
   */
  public java.util.List<String> diagnose(java.util.Map<String, long[]> checkpointShapes) {
    return java.util.List.of();
  }

  /**
   * A checkpoint this family recognises as a release it does not support at all (e.g. a withdrawn
   * first version with other keys and layers), given its keys and torch shapes: the one-line
   * reason. The loader then fails with this reason at the top of its message (in strict and
   * non-strict mode) instead of burying it under every missing key. Empty (the default) when the
   * checkpoint is not recognised as such; only consulted for a checkpoint that does not load.
   */
  public java.util.Optional<String> unsupportedCheckpoint(
      java.util.Map<String, long[]> checkpointShapes) {
    return java.util.Optional.empty();
  }

  /** Everything up to the pooled features {@code [B, featureDim]}. */
  protected abstract Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> xNhwc);

  /** The classifier on pooled features: {@code [B, featureDim] → [B, numClasses]}. */
  protected abstract Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> features);

  @Override
  protected final Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    return forwardHead(ctx, forwardFeatures(ctx, xNhwc));
  }

  /** Emits features and logits into one graph. */
  public final Heads emit(Ctx ctx, Operand<TFloat32> xNhwc) {
    Operand<TFloat32> f = forwardFeatures(ctx, xNhwc);
    return new Heads(f, forwardHead(ctx, f));
  }

  /** The two public outputs of a forward pass. */
  public record Heads(Operand<TFloat32> features, Operand<TFloat32> logits) {}
}
