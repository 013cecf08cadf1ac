package io.tfhybrid.interop.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.ops.Dense;
import io.tfhybrid.ops.Pooling;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The strict loader's checks and reports, on a tiny model with every kind of declared tensor. */
class WeightLoaderTest {

  /**
   * logits = mean_hw(x) · W + 2·b, where 2·b is a derived variable computed at load time, plus an
   * int64 computed buffer and a plain int64 buffer that the loader must check and load.
   */
  static class Tiny extends ClassifierModel {
    final ParamSpec weight = param("weight", Layout.OUT_IN, 2, 3);
    final ParamSpec bias = param("bias", Layout.AS_IS, 2);
    final ParamSpec index = computedBuffer("index", HostTensor.ofLongs(new long[] {4}, new long[] {0, 1, 2, 3}));
    final ParamSpec counter = buffer("counter", DType.I64);
    final ParamSpec doubled = derived("doubled_bias", new long[] {2}, List.of("bias"), in -> {
      float[] b = in.get(0).toFloatArray();
      return new float[] {2 * b[0], 2 * b[1]};
    });

    @Override
    public Arch arch() {
      return Arch.CONV2FORMER;
    }

    @Override
    public int numClasses() {
      return 2;
    }

    @Override
    public int featureDim() {
      return 3;
    }

    @Override
    public void checkInputSize(long height, long width) {}

    @Override
    protected Operand<TFloat32> forwardFeatures(Ctx ctx, Operand<TFloat32> x) {
      return Pooling.globalAvgPool(ctx.tf(), x, false);
    }

    @Override
    protected Operand<TFloat32> forwardHead(Ctx ctx, Operand<TFloat32> f) {
      return Dense.apply(ctx.tf(), f, ctx.read(weight), ctx.read(doubled));
    }

    @Override
    public List<String> diagnose(Map<String, long[]> shapes) {
      return List.of("tiny hint with " + shapes.size() + " keys");
    }
  }

  static LinkedHashMap<String, HostTensor> good() {
    LinkedHashMap<String, HostTensor> m = new LinkedHashMap<>();
    m.put("weight", HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    m.put("bias", HostTensor.ofFloats(new long[] {2}, new float[] {0.5f, -1}));
    m.put("index", HostTensor.ofLongs(new long[] {4}, new long[] {0, 1, 2, 3}));
    m.put("counter", HostTensor.ofLongs(new long[] {}, new long[] {7}));
    return m;
  }

  static float[] logits(BuiltModel m) {
    // A 1x1 "image" whose pixel is (1, 2, 3): mean = (1, 2, 3).
    HostTensor x = HostTensor.ofFloats(new long[] {1, 1, 1, 3}, new float[] {1, 2, 3});
    return m.run(x, List.of(BuiltModel.LOGITS)).get(BuiltModel.LOGITS).toFloatArray();
  }

  @Test
  void strictLoadConvertsLayoutsAndComputesDerivedVariables() {
    try (BuiltModel m = BuiltModel.build("tiny", new Tiny(), 1, 1)) {
      LoadReport r = WeightLoader.load(m, StateDict.of("tiny.pth", good(), List.of()));
      // W·x + 2b = (1+4+9 + 1, 4+10+18 - 2)
      assertArrayEquals(new float[] {15, 30}, logits(m), 1e-6f);
      assertEquals(4, r.tensorsLoaded());
      assertEquals(6 + 2 + 4 + 1, r.valuesLoaded());
      assertTrue(r.warnings().isEmpty());
    }
  }

  @Test
  void everyProblemIsListedInOneError() {
    LinkedHashMap<String, HostTensor> sd = good();
    sd.put("weight", HostTensor.ofFloats(new long[] {3, 2}, new float[6]));
    sd.remove("bias");
    sd.put("counter", HostTensor.ofFloats(new long[] {}, new float[] {1}));
    sd.put("extra.weight", HostTensor.ofFloats(new long[] {5}, new float[5]));
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("tiny", new Tiny(), StateDict.of("/some/dir/bad.pth", sd, List.of())));
      assertEquals("""
          Cannot load checkpoint 'bad.pth' into Conv2Former 'tiny' (4 problems):
            size mismatch 'weight': expected [2, 3], found [3, 2]
            dtype mismatch 'counter': expected an integer tensor, found torch.float32
            missing 'bias' [2]
            unexpected 'extra.weight' [5]
          Hint: tiny hint with 4 keys""", e.getMessage());
      assertEquals(4, e.problems().size());
    }
  }

  @Test
  void theCheckNeedsNoGraphAndItsPlanLoadsOnlyIntoTheModelItWasCheckedFor() {
    Tiny root = new Tiny();
    LoadPlan plan = WeightLoader.check("tiny", root, StateDict.of("tiny.pth", good(), List.of()));
    assertEquals("tiny.pth", plan.source());
    assertEquals(List.of("weight", "bias", "index", "counter"),
        plan.specs().stream().map(ParamSpec::key).toList());
    try (BuiltModel m = BuiltModel.build("tiny", root, 1, 1)) {
      LoadReport r = WeightLoader.builder().build().loadInto(m, plan);
      assertEquals(4, r.tensorsLoaded());
      assertArrayEquals(new float[] {15, 30}, logits(m), 1e-6f);
    }
    try (BuiltModel other = BuiltModel.build("other", new Tiny() {
      final ParamSpec extra = param("extra", Layout.AS_IS, 1);
    }, 1, 1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> WeightLoader.builder().build().loadInto(other, plan));
      assertTrue(e.getMessage().contains("checked against another model's declarations"),
          e.getMessage());
    }
  }

  @Test
  void aComputedBufferThatDiffersIsAnError() {
    LinkedHashMap<String, HostTensor> sd = good();
    sd.put("index", HostTensor.ofLongs(new long[] {4}, new long[] {0, 1, 3, 2}));
    {
      CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
          () -> WeightLoader.check("tiny", new Tiny(), StateDict.of("idx.pth", sd, List.of())));
      assertTrue(e.getMessage().contains(
          "computed buffer 'index' differs from the checkpoint: at flat index 2 expected 2, found 3"),
          e.getMessage());
    }
  }

  @Test
  void nonStrictReportsWarningsZeroFillsMissingAndLoadsTheRest() {
    LinkedHashMap<String, HostTensor> sd = good();
    sd.remove("bias");
    sd.put("extra", HostTensor.ofFloats(new long[] {1}, new float[1]));
    try (BuiltModel m = BuiltModel.build("tiny", new Tiny(), 1, 1)) {
      LoadReport r = WeightLoader.builder().strict(false).build()
          .loadInto(m, StateDict.of("partial.pth", sd, List.of()));
      assertEquals(List.of("missing 'bias' [2]", "unexpected 'extra' [1]"), r.warnings());
      assertArrayEquals(new float[] {14, 32}, logits(m), 1e-6f); // bias (and 2b) zero-filled
    }
  }

  @Test
  void allowMissingAndIgnoreUnexpectedTakeGlobs() {
    LinkedHashMap<String, HostTensor> sd = good();
    sd.remove("bias");
    sd.put("aux.head.weight", HostTensor.ofFloats(new long[] {1}, new float[1]));
    try (BuiltModel m = BuiltModel.build("tiny", new Tiny(), 1, 1)) {
      LoadReport r = WeightLoader.builder().allowMissing("bias").ignoreUnexpected("aux.*").build()
          .loadInto(m, StateDict.of("x.pth", sd, List.of()));
      assertTrue(r.warnings().isEmpty(), r.warnings().toString());
      assertEquals(3, r.tensorsLoaded());
    }
  }

  @Test
  void halfPrecisionIsWidenedAndDerivedVariablesFromAnExportAreSkipped() {
    LinkedHashMap<String, HostTensor> sd = good();
    ByteBuffer half = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    for (short bits : new short[] {0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600}) { // 1..6 in fp16
      half.putShort(bits);
    }
    sd.put("weight", HostTensor.of(DType.F16, new long[] {2, 3}, half.flip()));
    sd.put("doubled_bias", HostTensor.ofFloats(new long[] {2}, new float[] {99, 99}));
    try (BuiltModel m = BuiltModel.build("tiny", new Tiny(), 1, 1)) {
      LoadReport r = WeightLoader.load(m, StateDict.of("half.safetensors", sd, List.of()));
      assertTrue(r.notes().contains("1 torch.float16 tensors converted to float32"), r.notes().toString());
      assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("skipped 'doubled_bias'")), r.notes().toString());
      assertArrayEquals(new float[] {15, 30}, logits(m), 1e-6f); // recomputed, not the stored 99s
    }
  }
}
