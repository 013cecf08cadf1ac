package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * timm's {@code ClassifierHead} after the pooling: {@code fc} Linear with bias on the pooled
 * {@code [B, C]} features. The {@code global_pool} (mean over H, W) has no keys and runs in {@link
 * CoAtNetTimm#forwardFeatures}, recorded as {@code head.global_pool}.
 */
final class CoAtNetTimmHead extends Module {
  private final Linear fc;

  CoAtNetTimmHead(int features, int classes) {
    // Parity quirk: the head fc is the only 2-D classifier weight; every other projection is a
    // 1x1 conv. No pre-logits layer (NormMlpClassifierHead is not used by any pretrained CoAtNet).
    fc = child("fc", new Linear(features, classes, true));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> pooled) {
    return call(fc, ctx, pooled);
  }
}
