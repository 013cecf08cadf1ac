package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.ops.Activations;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Convolutions are emitted in the forms TF's remapper fuses, checked on the graph TF actually runs:
 * a BatchNorm2d / BatchNormAct2d right after a Conv2d fuses into it (Conv2D + FusedBatchNormV3 [+
 * Relu] → one fused conv), with PyTorch's conv-then-norm values (double reference) and both
 * captures kept; a 1×1 convolution with a bias is a MatMul on rows that fuses its bias and a
 * following GELU, and so is a 1×1 convolution + BatchNorm + activation, the norm folded in.
 */
class ConvFusionTest {

  private static double[] norm(double[] yNhwc, int c, float[] w, float[] b, float[] mean,
      float[] var, double eps, Activations.Kind act) {
    double[] out = new double[yNhwc.length];
    for (int i = 0; i < yNhwc.length; i++) {
      int ch = i % c;
      double v = (yNhwc[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * w[ch] + b[ch];
      out[i] = switch (act) {
        case IDENTITY -> v;
        case RELU -> Math.max(0, v);
        case SILU -> v / (1 + Math.exp(-v));
        default -> throw new IllegalArgumentException(act.name());
      };
    }
    return out;
  }

  private static void check(int cin, int cout, int k, int stride, int pad, int groups,
      boolean bias, Activations.Kind act, long seed) {
    check(cin, cout, k, stride, pad, groups, bias, act, null, seed);
  }

  /** Conv2d → norm [→ {@code after}]: output (without {@code after}) and captures '0', '1'. */
  private static void check(int cin, int cout, int k, int stride, int pad, int groups,
      boolean bias, Activations.Kind act, Module after, long seed) {
    int b = 2;
    int h = 7;
    int w = 6;
    float eps = 1e-5f;
    Conv2d conv = Conv2d.builder(cin, cout, k)
        .stride(stride).padding(pad).groups(groups).bias(bias).build();
    Module bn = act == null ? new BatchNorm2d(cout, eps) : new BatchNormAct2d(cout, eps, act);
    Activations.Kind effective = act == null ? Activations.Kind.IDENTITY : act;
    float[] xNchw = TorchRef.uniform(seed, b * cin * h * w, -1, 1);
    float[] weight = TorchRef.uniform(seed + 1, cout * (cin / groups) * k * k, -0.5, 0.5);
    float[] biasV = bias ? TorchRef.uniform(seed + 2, cout, -1, 1) : null;
    float[] gamma = TorchRef.uniform(seed + 3, cout, -2, 2);
    float[] beta = TorchRef.uniform(seed + 4, cout, -1, 1);
    float[] mean = TorchRef.uniform(seed + 5, cout, -1, 1);
    float[] var = TorchRef.uniform(seed + 6, cout, 0, 2);
    var[0] = 0; // (y − mean)/√eps on one channel: eps must be the module's
    Map<String, Object> weights = new HashMap<>();
    weights.put("0.weight", weight);
    if (bias) {
      weights.put("0.bias", biasV);
    }
    weights.put("1.weight", gamma);
    weights.put("1.bias", beta);
    weights.put("1.running_mean", mean);
    weights.put("1.running_var", var);
    GraphTester.ModuleRun run;
    try (GraphTester g = GraphTester.create()) {
      Sequential seq = after == null ? new Sequential(conv, bn) : new Sequential(conv, bn, after);
      run = g.run(seq, weights, new long[] {b, h, w, cin}, TorchRef.nchwToNhwc(xNchw, b, cin, h, w));
    }
    int oh = TorchRef.convOut(h, k, stride, pad);
    int ow = TorchRef.convOut(w, k, stride, pad);
    double[] convRef = TorchRef.nchwToNhwc(
        TorchRef.conv2d(xNchw, b, cin, h, w, weight, cout, k, k, biasV, stride, stride, pad, pad,
            groups), b, cout, oh, ow);
    double[] ref = norm(convRef, cout, gamma, beta, mean, var, eps, effective);
    String what = String.format("conv %dx%d/%d pad %d groups %d %s→%s + %s", k, k, stride, pad,
        groups, cin, cout, bn.getClass().getSimpleName() + (act == null ? "" : "(" + act + ")"));
    assertShape(new long[] {b, oh, ow, cout}, run.output());
    if (after == null) {
      assertClose(ref, run.output().toFloatArray(), what);
    }
    assertClose(convRef, run.captures().get("0").toFloatArray(), what + ": capture '0'");
    assertClose(ref, run.captures().get("1").toFloatArray(), what + ": capture '1'");
  }

  @Test
  void convThenBatchNorm() {
    check(3, 5, 3, 2, 1, 1, false, null, 10); // explicit padding
    check(4, 6, 1, 1, 0, 1, true, null, 20); // the conv's bias sits between conv and norm
    check(4, 6, 3, 1, 1, 1, false, Activations.Kind.RELU, 25);
  }

  @Test
  void groupedAndDepthwiseThenBatchNormAct() {
    // Not a single Conv2D: the norm stays the per-channel multiply-add.
    check(4, 6, 3, 1, 1, 2, true, Activations.Kind.RELU, 30);
    check(4, 4, 3, 2, 1, 4, false, Activations.Kind.SILU, 40); // depthwise, explicit padding
    check(3, 6, 5, 1, 2, 3, false, Activations.Kind.IDENTITY, 50); // depthwise, multiplier 2
  }

  /** Op types of the graph TF actually runs (after grappler) for the output of {@code seq}. */
  private static List<NodeDef> optimisedNodes(Module seq, int cin) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Weights weights = new Weights(tf, seq.variableSpec());
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, cin)));
      Operand<TFloat32> y = seq.forward(Ctx.root(tf, weights), x);
      try (Session s = new Session(graph);
          TFloat32 in = TFloat32.tensorOf(Shape.of(1, 8, 8, cin),
              DataBuffers.of(new float[64 * cin], true, false))) {
        weights.assign(s, RandomWeights.tfLayout(seq.variableSpec(), 1));
        RunOptions opts = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
        try (Result r = s.runner().feed(x, in).fetch(y).setOptions(opts).runAndFetchMetadata()) {
          RunMetadata md = r.getMetadata().orElseThrow();
          List<NodeDef> nodes = new ArrayList<>();
          for (GraphDef g : md.getPartitionGraphsList()) {
            nodes.addAll(g.getNodeList());
          }
          return nodes;
        }
      }
    }
  }

  private static List<String> fusedOps(NodeDef n) {
    return n.getAttrOrDefault("fused_ops", org.tensorflow.proto.AttrValue.getDefaultInstance())
        .getList().getSList().stream().map(bs -> bs.toStringUtf8()).toList();
  }

  @Test
  void optimisedGraphRunsOneFusedConvolution() {
    Module seq = new Sequential(
        Conv2d.builder(4, 8, 3).padding(1).bias(false).build(),
        new BatchNormAct2d(8, 1e-5f, Activations.Kind.RELU));
    List<NodeDef> nodes = optimisedNodes(seq, 4);
    List<NodeDef> convs = nodes.stream().filter(n -> n.getOp().contains("Conv2D")).toList();
    assertEquals(1, convs.size(), "one convolution op: " + convs);
    NodeDef conv = convs.get(0);
    assertTrue(conv.getOp().contains("FusedConv2D"), "fused convolution, found " + conv.getOp());
    assertEquals(List.of("FusedBatchNorm", "Relu"), fusedOps(conv), "fused ops of " + conv.getOp());
    // Nothing else touches the [N, 8, 8, 8] map: no norm or activation of its own.
    for (NodeDef n : nodes) {
      assertTrue(!n.getOp().contains("BatchNorm") && !n.getOp().contains("Relu")
          && !n.getOp().equals("Mul") && !n.getOp().equals("Add"),
          "unfused op left: " + n.getOp() + " " + n.getName());
    }
  }

  @Test
  void pointwiseConvWithBiasAndGeluIsOneFusedMatMul() {
    Module seq = new Sequential(
        Conv2d.builder(4, 16, 1).build(), Act.gelu(), Conv2d.builder(16, 4, 1).build());
    List<NodeDef> nodes = optimisedNodes(seq, 4);
    List<NodeDef> products = nodes.stream()
        .filter(n -> n.getOp().contains("MatMul") || n.getOp().contains("Conv2D")).toList();
    assertEquals(2, products.size(), "two products: " + products);
    for (NodeDef n : products) {
      assertTrue(n.getOp().contains("FusedMatMul"), "fused matmul, found " + n.getOp());
    }
    List<List<String>> fused = products.stream().map(ConvFusionTest::fusedOps).toList();
    // TF's generic remapper fuses the bias; its oneDNN remapper (TF's default on x86-64 Linux,
    // TF_ENABLE_ONEDNN_OPTS) fuses the exact GELU too.
    boolean oneDnn = nodes.stream().anyMatch(n -> n.getOp().startsWith("_Mkl"));
    List<String> first = oneDnn ? List.of("BiasAdd", "GeluExact") : List.of("BiasAdd");
    assertTrue(fused.contains(first) && fused.contains(List.of("BiasAdd")),
        "MatMul + BiasAdd" + (oneDnn ? " + GELU" : "") + " fused: " + fused);
    for (NodeDef n : nodes) {
      assertTrue(!n.getOp().equals("BiasAdd") && !(oneDnn && n.getOp().equals("Erf")),
          "unfused op left: " + n.getOp() + " " + n.getName());
    }
  }

  @Test
  void pointwiseConvBatchNormGeluIsOneFusedMatMul() {
    // CoAtNet's MBConv expansion: 1×1 conv (no bias) → BatchNorm2d → GELU; and with a bias.
    check(5, 6, 1, 1, 0, 1, false, null, Act.gelu(), 60);
    check(5, 6, 1, 1, 0, 1, true, null, Act.relu(), 70);
    List<NodeDef> nodes = optimisedNodes(new Sequential(Conv2d.builder(4, 8, 1).bias(false).build(),
        new BatchNorm2d(8), Act.gelu()), 4);
    List<NodeDef> products = nodes.stream()
        .filter(n -> n.getOp().contains("MatMul") || n.getOp().contains("Conv2D")).toList();
    assertEquals(1, products.size(), "one product: " + products);
    assertTrue(products.get(0).getOp().contains("FusedMatMul"), "fused, found " + products);
    boolean oneDnn = nodes.stream().anyMatch(n -> n.getOp().startsWith("_Mkl"));
    assertEquals(oneDnn ? List.of("BiasAdd", "GeluExact") : List.of("BiasAdd"),
        fusedOps(products.get(0)), "fused ops");
    for (NodeDef n : nodes) {
      assertTrue(!n.getOp().contains("BatchNorm") && !n.getOp().equals("BiasAdd")
          && !(oneDnn && n.getOp().equals("Erf")), "unfused op left: " + n.getOp() + " " + n.getName());
    }
  }
  /**
   * A BatchNorm then a GELU (CoAtNet's depthwise → BN → GELU, its stem's conv → BN → GELU): the
   * GELU takes the norm's output halved ({@link Module#callThenGelu}), one pass fewer, and the
   * output and both captures are the bits of the norm then a GELU of its own.
   */
  @Test
  void batchNormThenGeluGivesTheBitsOfNormThenGelu() {
    for (int groups : new int[] {1, 6}) {
      int cin = 6;
      int cout = 6;
      float[] x = TorchRef.uniform(80 + groups, 2 * 7 * 6 * cin, -1, 1);
      Map<String, Object> weights = new HashMap<>();
      weights.put("0.weight", TorchRef.uniform(81, cout * (cin / groups) * 9, -0.5, 0.5));
      weights.put("1.weight", TorchRef.uniform(82, cout, -2, 2));
      weights.put("1.bias", TorchRef.uniform(83, cout, -1, 1));
      weights.put("1.running_mean", TorchRef.uniform(84, cout, -1, 1));
      weights.put("1.running_var", TorchRef.uniform(85, cout, 0, 2));
      GraphTester.ModuleRun halved;
      GraphTester.ModuleRun plain;
      try (GraphTester g = GraphTester.create()) {
        halved = g.run(new Sequential(
            Conv2d.builder(cin, cout, 3).padding(1).groups(groups).bias(false).build(),
            new BatchNorm2d(cout), Act.gelu()), weights, new long[] {2, 7, 6, cin}, x);
      }
      try (GraphTester g = GraphTester.create()) {
        plain = g.run(new Sequential(
            Conv2d.builder(cin, cout, 3).padding(1).groups(groups).bias(false).build(),
            new BatchNorm2d(cout), new Lambda("GELU", Activations::gelu)),
            weights, new long[] {2, 7, 6, cin}, x);
      }
      String what = groups == 1 ? "conv → BN → GELU" : "depthwise → BN → GELU";
      org.junit.jupiter.api.Assertions.assertArrayEquals(plain.output().toFloatArray(),
          halved.output().toFloatArray(), what);
      for (String capture : List.of("0", "1", "2")) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            plain.captures().get(capture).toFloatArray(),
            halved.captures().get(capture).toFloatArray(), what + ": capture '" + capture + "'");
      }
    }
  }
}
