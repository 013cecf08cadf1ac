package io.tfhybrid.arch.coatnet;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Identity;
import io.tfhybrid.nn.Linear;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.Sequential;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The reference's {@code FeedForward(dim, hidden_dim)}: {@code net = Sequential(Linear, GELU,
 * Dropout, Linear, Dropout)}, keys {@code net.0.*} and {@code net.3.*}.
 */
final class CoAtNetFeedForward extends Module {
  private final Sequential net;

  CoAtNetFeedForward(int dim, int hidden) {
    net = child("net", new Sequential(
        new Linear(dim, hidden, true),
        Act.gelu(),
        Identity.dropout(),
        new Linear(hidden, dim, true),
        Identity.dropout()));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> tokens) {
    return call(net, ctx, tokens);
  }
}
