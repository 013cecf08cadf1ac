package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.ops.Activations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Module, Sequential and ParamSpec: keys, order, counts and registration errors (no session
 * needed).
 */
class ModuleTest {

  private static List<String> keys(Module m) {
    return m.stateDictSpec().stream().map(ParamSpec::key).toList();
  }

  /**
   * Declares in the order buffer, child, parameter, child; PyTorch lists params, buffers, children.
   */
  static final class Mixed extends Module {
    Mixed() {
      buffer("relative_index", DType.I64, 4, 4);
      child("proj", new Linear(2, 3, true));
      param("relative_bias_table", Layout.AS_IS, 9, 2);
      child("norm", new BatchNorm2d(3));
      param("scale", Layout.AS_IS, 1);
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class Attn extends Module {
    Attn() {
      child("qkv", new Linear(4, 12, false));
      child("proj", new Linear(4, 4, true));
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class Block extends Module {
    Block() {
      child("norm1", new LayerNorm(4, 1e-6f));
      child("attn", new Attn());
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class Net extends Module {
    Net() {
      child("stem", Conv2d.builder(3, 4, 3).stride(2).padding(1).bias(false).build());
      child("blocks", new Sequential(new Block(), new Block()));
      child("head", new Linear(4, 10, true));
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  @Test
  void fullKeysJoinNestedChildNames() {
    assertEquals(
        List.of(
            "stem.weight",
            "blocks.0.norm1.weight",
            "blocks.0.norm1.bias",
            "blocks.0.attn.qkv.weight",
            "blocks.0.attn.proj.weight",
            "blocks.0.attn.proj.bias",
            "blocks.1.norm1.weight",
            "blocks.1.norm1.bias",
            "blocks.1.attn.qkv.weight",
            "blocks.1.attn.proj.weight",
            "blocks.1.attn.proj.bias",
            "head.weight",
            "head.bias"),
        keys(new Net()));
  }

  @Test
  void fullSpecsKeepTorchShapeAndLayout() {
    ParamSpec stem = new Net().stateDictSpec().get(0);
    assertArrayEquals(new long[] {4, 3, 3, 3}, stem.torchShape());
    assertEquals(Layout.OIHW, stem.layout());
    assertArrayEquals(new long[] {3, 3, 3, 4}, stem.tfShape());
    ParamSpec qkv = new Net().stateDictSpec().get(3);
    assertEquals("blocks.0.attn.qkv.weight", qkv.key());
    assertArrayEquals(new long[] {12, 4}, qkv.torchShape());
    assertArrayEquals(new long[] {4, 12}, qkv.tfShape());
  }

  @Test
  void sequentialIndicesCountParameterFreeEntries() {
    Sequential s =
        new Sequential(
            new Lambda("Rearrange", (tf, x) -> x),
            new LayerNorm(4, 1e-5f),
            Act.gelu(),
            Identity.dropout(),
            new Linear(4, 2, true),
            new Identity());
    assertEquals(List.of("0", "1", "2", "3", "4", "5"), List.copyOf(s.children().keySet()));
    assertEquals(List.of("1.weight", "1.bias", "4.weight", "4.bias"), keys(s));
    assertEquals(6, s.size());
    assertTrue(s.get(2) instanceof Act);
    assertEquals(Activations.Kind.GELU, ((Act) s.get(2)).kind());
    assertEquals("Dropout", ((Identity) s.get(3)).torchName());
  }

  @Test
  void stateDictOrderIsParamsThenBuffersThenChildren() {
    List<ParamSpec> spec = new Mixed().stateDictSpec();
    assertEquals(
        List.of(
            "relative_bias_table",
            "scale",
            "relative_index",
            "proj.weight",
            "proj.bias",
            "norm.weight",
            "norm.bias",
            "norm.running_mean",
            "norm.running_var",
            "norm.num_batches_tracked"),
        spec.stream().map(ParamSpec::key).toList());
    assertEquals(ParamSpec.Kind.BUFFER, spec.get(2).kind());
    assertEquals(DType.I64, spec.get(2).dtype());
  }

  @Test
  void stateDictShapesListsTorchShapesInStateDictOrder() {
    Map<String, long[]> shapes = new Mixed().stateDictShapes();
    assertEquals(
        new Mixed().stateDictSpec().stream().map(ParamSpec::key).toList(),
        List.copyOf(shapes.keySet()));
    assertArrayEquals(new long[] {9, 2}, shapes.get("relative_bias_table"));
    assertArrayEquals(new long[] {4, 4}, shapes.get("relative_index"));
    assertArrayEquals(new long[] {3, 2}, shapes.get("proj.weight"));
    assertArrayEquals(new long[] {}, shapes.get("norm.num_batches_tracked"));

    assertTrue(new Mixed().declaresExactly(shapes));
    Map<String, long[]> other = new LinkedHashMap<>(shapes);
    other.put("proj.weight", new long[] {2, 3});
    assertFalse(new Mixed().declaresExactly(other), "another torch shape");
    other = new LinkedHashMap<>(shapes);
    other.remove("scale");
    assertFalse(new Mixed().declaresExactly(other), "a missing key");
    other = new LinkedHashMap<>(shapes);
    other.put("extra", new long[] {1});
    assertFalse(new Mixed().declaresExactly(other), "an unexpected key");
  }

  @Test
  void parameterCountExcludesBuffers() {
    // relative_bias_table 18 + scale 1 + proj 6 + 3 + norm weight/bias 3 + 3; buffers not counted.
    assertEquals(18 + 1 + 6 + 3 + 3 + 3, new Mixed().parameterCount());
    assertEquals(16, new BatchNorm2d(8).parameterCount());
    assertEquals(5, new BatchNorm2d(8).stateDictSpec().size());
    // stem 108 + 2 × (LN 8 + qkv 48 + proj 20) + head 50
    assertEquals(108 + 2 * (8 + 48 + 20) + 50, new Net().parameterCount());
  }

  static final class WithDerived extends Module {
    WithDerived() {
      param("relative_position_bias_table", Layout.AS_IS, 9, 2);
      computedBuffer(
          "relative_position_index",
          HostTensor.ofLongs(new long[] {4, 4}, io.tfhybrid.ops.RelativePosition.index(2, 2)));
      derived(
          "bias_hnn",
          new long[] {2, 4, 4},
          List.of("relative_position_bias_table", "relative_position_index"),
          hs -> new float[32]);
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class HasDerivedChild extends Module {
    HasDerivedChild() {
      child("attn", new WithDerived());
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  @Test
  void derivedVariablesAreNotInTheStateDict() {
    Module m = new HasDerivedChild();
    assertEquals(
        List.of("attn.relative_position_bias_table", "attn.relative_position_index"), keys(m));
    List<ParamSpec> vars = m.variableSpec();
    assertEquals(
        List.of(
            "attn.relative_position_bias_table", "attn.relative_position_index", "attn.bias_hnn"),
        vars.stream().map(ParamSpec::key).toList());
    ParamSpec derived = vars.get(2);
    assertFalse(derived.inStateDict());
    // Derivation sources are re-rooted with the full prefix.
    assertEquals(
        List.of("attn.relative_position_bias_table", "attn.relative_position_index"),
        derived.derivation().sources());
    ParamSpec index = vars.get(1);
    assertEquals(ParamSpec.Kind.BUFFER, index.kind());
    assertArrayEquals(new long[] {4, 4}, index.torchShape());
    assertEquals(18, m.parameterCount());
  }

  @Test
  void paramSpecIsDefensiveAndPrintsTorchShape() {
    ParamSpec p = new Linear(5, 3, true).stateDictSpec().get(0);
    long[] shape = p.torchShape();
    shape[0] = 99;
    assertArrayEquals(new long[] {3, 5}, p.torchShape());
    assertEquals(15, p.numel());
    assertTrue(p.inStateDict());
    assertNull(p.expected());
    assertEquals("'weight' [3, 5]", p.toString());
    ParamSpec nbt = new BatchNorm2d(2).stateDictSpec().get(4);
    assertEquals("'num_batches_tracked' [] torch.int64", nbt.toString());
    assertEquals(1, nbt.numel());
  }

  // ---- registration errors ----

  static final class TwoChildrenSameName extends Module {
    TwoChildrenSameName() {
      child("fc", new Linear(2, 2, true));
      child("fc", new Linear(2, 2, true));
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class ParamAndChildSameName extends Module {
    ParamAndChildSameName() {
      param("gamma", Layout.AS_IS, 2);
      child("gamma", new Identity());
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class ChildThenParamSameName extends Module {
    ChildThenParamSameName() {
      child("gamma", new Identity());
      param("gamma", Layout.AS_IS, 2);
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class TwoParamsSameName extends Module {
    TwoParamsSameName() {
      param("weight", Layout.AS_IS, 2);
      buffer("weight", DType.F32, 2);
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class SameInstanceTwice extends Module {
    SameInstanceTwice() {
      Linear shared = new Linear(2, 2, true);
      child("a", shared);
      child("b", shared);
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  static final class DottedName extends Module {
    DottedName() {
      child("attn.proj", new Identity());
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return x;
    }
  }

  @Test
  void duplicateNamesAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, TwoChildrenSameName::new);
    assertTrue(e.getMessage().contains("'fc'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, ParamAndChildSameName::new);
    assertTrue(e.getMessage().contains("'gamma'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, ChildThenParamSameName::new);
    assertTrue(e.getMessage().contains("'gamma'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, TwoParamsSameName::new);
    assertTrue(e.getMessage().contains("'weight'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, SameInstanceTwice::new);
    assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("'b'"), e.getMessage());
  }

  @Test
  void segmentsMayNotContainDots() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, DottedName::new);
    assertTrue(e.getMessage().contains("'attn.proj'"), e.getMessage());
  }

  @Test
  void childrenAreExposedInRegistrationOrder() {
    Net n = new Net();
    assertEquals(List.of("stem", "blocks", "head"), List.copyOf(n.children().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> n.children().clear());
    Sequential blocks = (Sequential) n.children().get("blocks");
    assertSame(blocks.get(1), blocks.children().get("1"));
    assertEquals(List.of(), Act.relu().stateDictSpec());
    assertEquals(0, new Identity().parameterCount());
  }
}
