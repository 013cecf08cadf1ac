package io.tfhybrid.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Ctx: path scoping, the enter-once rule, child calls and captures. */
class CtxTest {

  /** Records {@code inside} below its own path, then passes x through. */
  static final class Probe extends Module {
    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      ctx.capture("inside", ctx.tf().math.add(x, ctx.tf().constant(100f)));
      return x;
    }
  }

  static final class Outer extends Module {
    final Linear a = child("a", new Linear(2, 2, true));
    final Sequential seq = child("seq", new Sequential(Act.relu(), new Probe()));

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      var tf = ctx.tf();
      Operand<TFloat32> y = call(a, ctx, x);
      ctx.capture("mid", tf.math.mul(y, tf.constant(2f)));
      Operand<TFloat32> z = call(seq, ctx, y);
      ctx.capture("seq", tf.math.neg(z)); // overwrites the recorded output of child 'seq'
      return z;
    }
  }

  @Test
  void callAndCaptureRecordEveryPath() {
    try (GraphTester g = GraphTester.create()) {
      // W = [[1, 2], [3, -4]], b = [0.5, -1]; x = [1, -1] → y = [-0.5, 6].
      var run =
          g.run(
              new Outer(),
              Map.of("a.weight", new float[] {1, 2, 3, -4}, "a.bias", new float[] {0.5f, -1}),
              new long[] {1, 2},
              new float[] {1, -1});
      assertArrayEquals(new float[] {0, 6}, run.output().toFloatArray());
      Map<String, HostTensor> c = run.captures();
      assertEquals(
          List.of("a", "mid", "seq.0", "seq.1.inside", "seq.1", "seq"), List.copyOf(c.keySet()));
      assertArrayEquals(new float[] {-0.5f, 6}, c.get("a").toFloatArray());
      assertArrayEquals(new float[] {-1, 12}, c.get("mid").toFloatArray());
      assertArrayEquals(new float[] {0, 6}, c.get("seq.0").toFloatArray());
      assertArrayEquals(new float[] {100, 106}, c.get("seq.1.inside").toFloatArray());
      assertArrayEquals(new float[] {0, 6}, c.get("seq.1").toFloatArray());
      assertArrayEquals(new float[] {-0f, -6}, c.get("seq").toFloatArray());
    }
  }

  static final class CallsTwice extends Module {
    final Linear fc = child("fc", new Linear(2, 2, false));

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return call(fc, ctx, call(fc, ctx, x));
    }
  }

  static final class Wrapper extends Module {
    final Module inner;

    Wrapper(Module inner) {
      this.inner = child("blocks", new Sequential(inner));
    }

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return call(inner, ctx, x);
    }
  }

  @Test
  void enteringTheSamePathTwiceFails() {
    try (GraphTester g = GraphTester.create()) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  g.run(new Wrapper(new CallsTwice()), Map.of(), new long[] {1, 2}, new float[2]));
      assertTrue(e.getMessage().contains("'blocks.0.fc'"), e.getMessage());
    }
    try (GraphTester g = GraphTester.create()) {
      Ctx root = Ctx.root(g.tf(), new Weights(g.tf(), List.of()));
      Ctx a = root.enter("a");
      assertEquals("a", a.path());
      assertEquals("a.b", a.enter("b").path());
      assertEquals("c.b", root.enter("c").enter("b").path()); // same segment, other parent: fine
      assertThrows(IllegalStateException.class, () -> root.enter("a"));
      assertThrows(IllegalStateException.class, () -> a.enter("b"));
    }
  }

  /** Adds its token grid's height·10 + width to x: a module that reads the grid. */
  static final class GridReader extends Module {
    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      TokenGrid g = ctx.tokenGrid();
      return ctx.tf().math.add(x, ctx.tf().constant((float) (g.height() * 10 + g.width())));
    }
  }

  /** Sets a 3 × 4 grid once for a Sequential of two grid readers. */
  static final class GridStage extends Module {
    final Sequential blocks = child("blocks", new Sequential(new GridReader(), new GridReader()));

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return call(blocks, ctx.withTokenGrid(new TokenGrid(3, 4)), x);
    }
  }

  @Test
  void theTokenGridReachesEveryModuleBelowTheOneThatSetIt() {
    try (GraphTester g = GraphTester.create()) {
      var run = g.run(new GridStage(), Map.of(), new long[] {1, 2}, new float[] {0, 1});
      assertArrayEquals(new float[] {68, 69}, run.output().toFloatArray());
      assertEquals(List.of("blocks.0", "blocks.1", "blocks"),
          List.copyOf(run.captures().keySet()));
    }
    try (GraphTester g = GraphTester.create()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> g.run(new Wrapper(new GridReader()), Map.of(), new long[] {1, 2}, new float[2]));
      assertTrue(e.getMessage().contains("no enclosing module set the token grid"),
          e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new TokenGrid(0, 4));
  }

  static final class CallsStranger extends Module {
    final Linear registered = child("fc", new Linear(2, 2, false));
    final Linear stranger = new Linear(2, 2, false);

    @Override
    protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> x) {
      return call(stranger, ctx, call(registered, ctx, x));
    }
  }

  @Test
  void callingAnUnregisteredChildFails() {
    try (GraphTester g = GraphTester.create()) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> g.run(new CallsStranger(), Map.of(), new long[] {1, 2}, new float[2]));
      assertTrue(e.getMessage().contains("CallsStranger"), e.getMessage());
      assertTrue(e.getMessage().contains("never registered"), e.getMessage());
    }
  }

  @Test
  void computeOpsLiveInSlashScopesAndVariablesUnderFullKeys() {
    try (GraphTester g = GraphTester.create()) {
      g.run(new Wrapper(new Linear(2, 3, true)), Map.of(), new long[] {1, 2}, new float[2]);
      List<String> names = new ArrayList<>();
      g.graph().operations().forEachRemaining(op -> names.add(op.name()));
      assertTrue(names.contains("blocks.0.weight"), names.toString());
      assertTrue(names.contains("blocks.0.bias"), names.toString());
      assertTrue(names.stream().anyMatch(n -> n.startsWith("blocks/0/MatMul")), names.toString());
      GraphOperation w = g.graph().operation("blocks.0.weight");
      assertArrayEquals(new long[] {2, 3}, w.output(0).shape().asArray());
    }
  }

  @Test
  void keyOfPrefixesThePath() {
    try (GraphTester g = GraphTester.create()) {
      Ctx root = Ctx.root(g.tf(), new Weights(g.tf(), List.of()));
      ParamSpec local = new Linear(2, 2, true).ownSpecs().get(0);
      assertEquals("weight", root.keyOf(local));
      assertEquals("s3.0.attn.weight", root.enter("s3").enter("0").enter("attn").keyOf(local));
      assertEquals("", root.path());
    }
  }
}
