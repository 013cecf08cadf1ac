package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.tfhybrid.ops.Activations;
import io.tfhybrid.ops.Attention;
import io.tfhybrid.ops.Layouts;
import io.tfhybrid.ops.Pooling;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Models are built with a dynamic batch axis ({@code [-1, H, W, 3]}); every layer must give the
 * same numbers as with a static batch. One Sequential exercises each layer type.
 */
class DynamicBatchTest {

  /** Self-attention on tokens through splitQkv/attend/mergeHeads, as the architectures use it. */
  static final class TokenAttention extends Module {
    final Linear qkv = child("qkv", new Linear(8, 24, true));

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      Ops tf = ctx.tf();
      List<Operand<TFloat32>> parts = Attention.splitQkv(tf, call(qkv, ctx, x), 3, 2);
      Operand<TFloat32> o =
          Attention.attend(tf, parts.get(0), parts.get(1), parts.get(2), 0.5f, false, null);
      return Attention.mergeHeads(tf, o);
    }
  }

  private static Sequential net() {
    return new Sequential(
        Conv2d.builder(3, 8, 3).stride(2).padding(1).build(),
        new BatchNorm2d(8),
        Act.gelu(),
        Conv2d.builder(8, 8, 3).padding(1).groups(8).build(), // depthwise
        // grouped, stride 2 on an even map
        Conv2d.builder(8, 8, 3).stride(2).padding(1).groups(2).bias(false).build(),
        new GroupNorm(2, 8, 1e-5f),
        MaxPool2d.builder(3).stride(1).padding(1).build(),
        AvgPool2d.builder(3).stride(1).padding(1).ceilMode(true).countIncludePad(false).build(),
        new Lambda("AdaptiveAvgPool2d", (tf, x) -> Pooling.adaptiveAvgPool(tf, x, 2, 3)),
        new Lambda("Rearrange", Layouts::mapToTokens),
        new LayerNorm(8, 1e-6f),
        new TokenAttention(),
        new Act(Activations.Kind.QUICK_GELU),
        new Linear(8, 5, true));
  }

  @Test
  void dynamicBatchGivesTheStaticResults() {
    long[] shape = {3, 8, 8, 3};
    float[] x = TorchRef.uniform(5, 3 * 8 * 8 * 3, -1, 1);
    Map<String, Object> torch = RandomWeights.torchLayout(net().stateDictSpec(), 9);
    HostTensor expected;
    try (GraphTester g = GraphTester.create()) {
      expected = g.run(net(), torch, shape, x).output();
    }
    TorchRef.assertShape(new long[] {3, 6, 5}, expected);

    Sequential m = net();
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> in =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Weights weights = new Weights(tf, m.variableSpec());
      Operand<TFloat32> y = m.forward(Ctx.root(tf, weights), in);
      weights.assign(session, RandomWeights.tfLayout(m.variableSpec(), 9));
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x, true, false));
          Result r = session.runner().feed(in, t).fetch(y).run()) {
        TFloat32 out = (TFloat32) r.get(0);
        float[] f = new float[Math.toIntExact(out.size())];
        out.copyTo(DataBuffers.of(f, false, false));
        assertArrayEquals(expected.shape(), out.shape().asArray());
        assertArrayEquals(expected.toFloatArray(), f, 1e-5f);
      }
    }
  }
}
