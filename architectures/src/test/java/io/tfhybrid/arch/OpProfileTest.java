package io.tfhybrid.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.OpProfile.Bucket;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import io.tfhybrid.ops.Activations;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class OpProfileTest {

  @Test
  void opTypesFallIntoTheirBucketsWhateverTheOneDnnPrefix() {
    assertEquals(Bucket.CONV, OpProfile.bucket("_MklNativeFusedConv2D"));
    assertEquals(Bucket.CONV, OpProfile.bucket("Conv2D"));
    assertEquals(Bucket.DEPTHWISE, OpProfile.bucket("_FusedDepthwiseConv2dNative"));
    assertEquals(Bucket.MATMUL, OpProfile.bucket("_MklFusedBatchMatMulV2"));
    assertEquals(Bucket.MATMUL, OpProfile.bucket("_FusedMatMul"));
    assertEquals(Bucket.NORM, OpProfile.bucket("_MklLayerNorm"));
    assertEquals(Bucket.NORM, OpProfile.bucket("_FusedBatchNormEx"));
    assertEquals(Bucket.GELU_SOFTMAX, OpProfile.bucket("_MklSoftmax"));
    assertEquals(Bucket.LAYOUT, OpProfile.bucket("_MklTranspose"));
    assertEquals(Bucket.LAYOUT, OpProfile.bucket("GatherV2")); // a transpose of last-axis rows
    assertEquals(Bucket.OTHER, OpProfile.bucket("AddV2"));
  }

  /**
   * A graph whose flops are known by hand: a 3×3 convolution 2→4 channels on 1×5×5 (SAME), a 3×3
   * depthwise convolution on the result, a matmul [25, 4]·[4, 6] and a batch matmul [2, 3, 5]·[2,
   * 5, 7] with adjoint inputs, then an inline erf GELU.
   */
  @Test
  void countsTheFlopsOfConvolutionsAndMatmulsFromTheRecordedShapes() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      var conv = tf.nn.conv2d(x, tf.constant(filled(3, 3, 2, 4)), java.util.List.of(1L, 1L, 1L, 1L),
          "SAME");
      var dw = tf.nn.depthwiseConv2dNative(conv, tf.constant(filled(3, 3, 4, 1)),
          java.util.List.of(1L, 1L, 1L, 1L), "SAME");
      var rows = tf.reshape(dw, tf.constant(new long[] {25, 4}));
      var mm = tf.linalg.matMul(rows, tf.constant(filled(4, 6)));
      // Fed operands, so that grappler cannot fold the batch matmul into a constant.
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      var bmm = tf.train.batchMatMul(a, b,
          TFloat32.class, org.tensorflow.op.train.BatchMatMul.adjX(true),
          org.tensorflow.op.train.BatchMatMul.adjY(true));
      var gelu = Activations.gelu(tf, mm);
      var sum = tf.math.add(tf.reduceSum(gelu, tf.constant(new int[] {0, 1})),
          tf.reduceSum(bmm, tf.constant(new int[] {0, 1, 2})));
      HostTensor in = RandomWeights.input(5, 1, 5, 5, 2);
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 5, 5, 2),
              DataBuffers.of(in.toFloatArray(), true, false));
          TFloat32 ta = TFloat32.tensorOf(filled(2, 5, 3));
          TFloat32 tb = TFloat32.tensorOf(filled(2, 7, 5))) {
        OpProfile.Result r = OpProfile.profile("toy", 1,
            () -> s.runner().feed(x, t).feed(a, ta).feed(b, tb).fetch(sum), Map.of(), 1, 2, 2,
            100.0);
        double conv2d = 2.0 * 25 * 4 * 3 * 3 * 2;
        double depthwise = 2.0 * 25 * 4 * 3 * 3;
        double matmul = 2.0 * 25 * 6 * 4;
        double batchMatmul = 2.0 * 2 * 3 * 7 * 5;
        assertEquals(0, r.unknownFlopNodes(), r.toString());
        assertEquals((conv2d + depthwise + matmul + batchMatmul) / 1e9, r.gflop(), 1e-15,
            r.toString());
        double sum2 = r.bucketMs().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(r.tracedOpMs(), sum2, 1e-9);
        assertTrue(r.bucketMs().getOrDefault(Bucket.CONV, 0.0) > 0, r.toString());
        assertTrue(r.bucketMs().getOrDefault(Bucket.DEPTHWISE, 0.0) > 0, r.toString());
        assertTrue(r.bucketMs().getOrDefault(Bucket.MATMUL, 0.0) > 0, r.toString());
        // The GELU's Erf and its Mul/Add chain count as GELU, not as "everything else".
        long geluOps = r.opTypes().stream()
            .filter(o -> o.bucket() == Bucket.GELU_SOFTMAX).mapToInt(OpProfile.OpTime::nodes)
            .sum();
        assertTrue(geluOps >= 4, r.format(30, true));
        assertTrue(r.graphOps().keySet().stream().anyMatch(k -> k.contains("Conv2D")),
            r.format(30, true));
        assertTrue(r.format(5, false).startsWith("toy batch 1: wall "), r.toString());
      }
    }
  }

  /**
   * The transformer pieces in the form TensorFlow's CPU remapper fuses (checked in the optimised
   * graph, not assumed): LayerNorm → one {@code _MklLayerNorm}, Linear + GELU on tokens → one
   * fused matmul with no {@code Erf} left, attention products → oneDNN batch matmuls, the scaled
   * logits with their scale fused in.
   */
  @Test
  void theOptimisedGraphHasTheFusedTransformerOps() {
    assumeOneDnn();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 10, 8)));
      var ln = io.tfhybrid.ops.Norms.layerNorm(tf, x, tf.variable(tf.constant(filled(8))),
          tf.variable(tf.constant(filled(8))), 1e-5f);
      var h = io.tfhybrid.ops.Dense.apply(tf, ln, tf.variable(tf.constant(filled(8, 16))),
          tf.variable(tf.constant(filled(16))));
      h = Activations.apply(tf, Activations.Kind.GELU, h);
      var y = io.tfhybrid.ops.Dense.apply(tf, h, tf.variable(tf.constant(filled(16, 8))),
          tf.variable(tf.constant(filled(8))));
      var heads = io.tfhybrid.ops.Attention.splitHeads(tf, y, 2);
      var a = io.tfhybrid.ops.Attention.attend(tf, heads, heads, heads, 0.5f, false, null);
      OpProfile.Result r = optimised(s, x, tf.math.tanh(a), 2, 10, 8);
      Map<String, Integer> ops = r.graphOps();
      String all = r.format(0, true);
      assertEquals(1, ops.getOrDefault("_MklLayerNorm", 0), all);
      assertEquals(2, ops.getOrDefault("_MklNativeFusedMatMul", 0), all);
      // q·kᵀ·scale fused into one oneDNN op (no Mul on the logits), then p·v.
      assertEquals(1, ops.getOrDefault("_MklFusedBatchMatMulV2", 0), all);
      assertEquals(1, ops.getOrDefault("_MklBatchMatMulV2", 0), all);
      assertEquals(0, ops.getOrDefault("Erf", 0), all);
      assertEquals(0, ops.getOrDefault("BiasAdd", 0), all);
    }
  }

  /**
   * CoAtNet's form: heads outside the batch ({@code [h, B, N, d]}) and the relative bias as
   * {@code [h, 1, N, N]}, so scale and bias become post-ops of one {@code _MklFusedBatchMatMulV2}
   * (a {@code [B, h, ..]} layout with a {@code [h, N, N]} bias is not fused).
   */
  @Test
  void aPerHeadBiasOnHeadsOuterLogitsIsFusedIntoTheBatchMatmul() {
    assumeOneDnn();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 10, 12)));
      var qkv = io.tfhybrid.ops.Attention.splitQkvHeadsOuter(tf, x, 3, 2);
      var bias = tf.variable(tf.constant(filled(2, 1, 10, 10)));
      var a = io.tfhybrid.ops.Attention.attend(tf, qkv.get(0), qkv.get(1), qkv.get(2), 0.5f,
          false, bias);
      OpProfile.Result r = optimised(s, x,
          tf.math.tanh(io.tfhybrid.ops.Attention.mergeHeadsOuter(tf, a)), 2, 10, 12);
      Map<String, Integer> ops = r.graphOps();
      String all = r.format(0, true);
      assertEquals(1, ops.getOrDefault("_MklFusedBatchMatMulV2", 0), all);
      assertEquals(1, ops.getOrDefault("_MklBatchMatMulV2", 0), all);
      assertEquals(0, ops.getOrDefault("AddV2", 0) + ops.getOrDefault("Mul", 0), all);
    }
  }

  /**
   * HAT-Net's bias-free 1×1 expansion then SiLU: {@link Activations#apply} puts a zero bias behind
   * the convolution, and the remapper fuses convolution, bias and SiLU into one oneDNN op (no
   * {@code _MklSwish} pass of its own), with the same values as the bare convolution and SiLU.
   */
  @Test
  void aBiasFreeConvolutionAndItsSiluAreOneFusedOpWithTheSameValues() {
    assumeOneDnn();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 6, 6, 4)));
      var conv = tf.nn.conv2d(x, tf.variable(tf.constant(filled(1, 1, 4, 8))),
          java.util.List.of(1L, 1L, 1L, 1L), "VALID");
      var fused = Activations.apply(tf, Activations.Kind.SILU, conv);
      OpProfile.Result r = optimised(s, x, tf.math.tanh(fused), 2, 6, 6, 4);
      String all = r.format(0, true);
      assertEquals(Map.of("_MklNativeFusedConv2D [BiasAdd, _MklSwish]", 1), r.fusions(), all);
      assertEquals(0, r.graphOps().getOrDefault("_MklSwish", 0), all);
      var bare = Activations.silu(tf, conv);
      try (TFloat32 t = seeded(2, 6, 6, 4);
          org.tensorflow.Result out = s.runner().feed(x, t).fetch(fused).fetch(bare).run()) {
        float[] a = new float[2 * 6 * 6 * 8];
        float[] b = new float[a.length];
        ((TFloat32) out.get(0)).copyTo(DataBuffers.of(a, false, false));
        ((TFloat32) out.get(1)).copyTo(DataBuffers.of(b, false, false));
        org.junit.jupiter.api.Assertions.assertArrayEquals(b, a);
      }
    }
  }

  private static void assumeOneDnn() {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        "0".equals(System.getenv("TF_ENABLE_ONEDNN_OPTS")), "oneDNN rewrites switched off");
  }

  /** One traced pass of {@code out} on seeded input of {@code shape}: the optimised graph's ops. */
  private static OpProfile.Result optimised(Session s, Placeholder<TFloat32> x,
      org.tensorflow.Operand<TFloat32> out, long... shape) {
    s.initialize();
    try (TFloat32 t = seeded(shape)) {
      return OpProfile.profile("block", (int) shape[0], () -> s.runner().feed(x, t).fetch(out),
          Map.of(), 0, 1, 1, Double.NaN);
    }
  }

  private static org.tensorflow.ndarray.FloatNdArray filled(long... shape) {
    HostTensor h = RandomWeights.input(7, shape);
    return org.tensorflow.ndarray.NdArrays.wrap(Shape.of(shape),
        DataBuffers.of(h.toFloatArray(), true, false));
  }

  /** The seeded input batch (seed 5) of {@code shape}, as a tensor to feed. */
  private static TFloat32 seeded(long... shape) {
    HostTensor in = RandomWeights.input(5, shape);
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(in.toFloatArray(), true, false));
  }
}
