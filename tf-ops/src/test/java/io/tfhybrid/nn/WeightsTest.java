package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Weights: variables named by full key, clash detection, TF-layout assignment. */
class WeightsTest {

  @Test
  void aNameClashIsDetectedNotSilentlyRenamed() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      List<ParamSpec> specs = new Linear(2, 3, true).stateDictSpec();
      new Weights(tf, specs);
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> new Weights(tf, specs));
      assertTrue(e.getMessage().contains("'weight'"), e.getMessage());
      assertTrue(e.getMessage().contains("'weight_1'"), e.getMessage());
    }
  }

  @Test
  void aClashWithAComputeOpIsDetectedToo() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      tf.withName("head.weight").constant(1f);
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> new Weights(tf, new HeadOnly().stateDictSpec()));
      assertTrue(e.getMessage().contains("'head.weight_1'"), e.getMessage());
    }
  }

  static final class HeadOnly extends Module {
    HeadOnly() {
      child("head", new Linear(2, 2, false));
    }

    @Override
    protected org.tensorflow.Operand<TFloat32> forward(
        Ctx ctx, org.tensorflow.Operand<TFloat32> x) {
      return x;
    }
  }

  @Test
  void variablesHoldTfLayoutAndReadBack() {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      BatchNorm2dAndLinear m = new BatchNorm2dAndLinear();
      Weights w = new Weights(tf, m.stateDictSpec());
      assertEquals(
          m.stateDictSpec().stream().map(ParamSpec::key).toList(),
          w.specs().stream().map(ParamSpec::key).toList());
      assertArrayEquals(new long[] {3, 2}, w.floatVariable("fc.weight").shape().asArray());
      assertArrayEquals(new long[] {}, w.longVariable("bn.num_batches_tracked").shape().asArray());
      Map<String, Object> values = new LinkedHashMap<>();
      float[] torchW = {1, 2, 3, 4, 5, 6}; // [out=2, in=3]
      values.put("fc.weight", Layout.OUT_IN.toTf(torchW, new long[] {2, 3}));
      values.put("bn.num_batches_tracked", new long[] {42});
      w.assign(session, values);
      try (Result r =
          session
              .runner()
              .fetch(w.floatVariable("fc.weight"))
              .fetch(w.longVariable("bn.num_batches_tracked"))
              .run()) {
        TFloat32 wt = (TFloat32) r.get(0);
        float[] f = new float[6];
        wt.copyTo(DataBuffers.of(f, false, false));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, f);
        assertEquals(42L, ((TInt64) r.get(1)).getLong());
      }
    }
  }

  static final class BatchNorm2dAndLinear extends Module {
    BatchNorm2dAndLinear() {
      child("fc", new Linear(3, 2, false));
      child("bn", new BatchNorm2d(2));
    }

    @Override
    protected org.tensorflow.Operand<TFloat32> forward(
        Ctx ctx, org.tensorflow.Operand<TFloat32> x) {
      return x;
    }
  }

  @Test
  void misuseIsReportedWithTheKey() {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Weights w = new Weights(tf, new BatchNorm2dAndLinear().stateDictSpec());
      IllegalStateException s =
          assertThrows(IllegalStateException.class, () -> w.floatVariable("fc.bias"));
      assertTrue(s.getMessage().contains("'fc.bias'"), s.getMessage());
      s =
          assertThrows(
              IllegalStateException.class, () -> w.floatVariable("bn.num_batches_tracked"));
      assertTrue(s.getMessage().contains("'bn.num_batches_tracked'"), s.getMessage());
      assertThrows(IllegalStateException.class, () -> w.longVariable("bn.running_var"));
      IllegalArgumentException a =
          assertThrows(
              IllegalArgumentException.class,
              () -> w.assign(session, Map.of("fc.weight", new float[5])));
      assertTrue(
          a.getMessage().contains("'fc.weight'") && a.getMessage().contains("5"), a.getMessage());
      a =
          assertThrows(
              IllegalArgumentException.class,
              () -> w.assign(session, Map.of("fc.bias", new float[2])));
      assertTrue(a.getMessage().contains("'fc.bias'"), a.getMessage());
      a =
          assertThrows(
              IllegalArgumentException.class,
              () -> w.assign(session, Map.of("bn.running_mean", new double[2])));
      assertTrue(a.getMessage().contains("'bn.running_mean'"), a.getMessage());
    }
  }
}
