package io.tfhybrid.arch.coatnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Forward smoke test of the smallest variant, full-size builds (slow) and input-size rules. */
class CoAtNetModelTest {

  static final CoAtNetConfig TINY =
      CoAtNetConfig.of(64, List.of(2, 2, 2, 2, 2), List.of(8, 14, 18, 24, 32), 10);

  static HostTensor randomInput(long... nhwc) {
    return RandomWeights.input(7, nhwc);
  }

  /** coatnet_0_224 (the smallest variant) at 224 with random weights: one forward pass. */
  @Test
  void smallestVariantRunsOneForwardPass() {
    try (BuiltModel m = Models.build("coatnet_0_224")) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
      Map<String, HostTensor> out = m.run(randomInput(1, 224, 224, 3),
          List.of(BuiltModel.LOGITS, BuiltModel.FEATURES, "s3", "s4"));
      assertArrayEquals(new long[] {1, 1000}, out.get(BuiltModel.LOGITS).shape());
      assertArrayEquals(new long[] {1, 768}, out.get(BuiltModel.FEATURES).shape());
      assertArrayEquals(new long[] {1, 14, 14, 384}, out.get("s3").shape());
      assertArrayEquals(new long[] {1, 7, 7, 768}, out.get("s4").shape());
      for (HostTensor t : out.values()) {
        for (float v : t.toFloatArray()) {
          assertTrue(Float.isFinite(v), "non-finite output");
        }
      }
    }
  }

  static List<Variant<CoAtNetConfig>> variants() {
    return CoAtNetVariants.ALL;
  }

  /**
   * Every variant builds (graph + variables) at its default resolution. Tagged slow (excluded by
   * default); run it with {@code mvn -pl architectures test -Dtest=CoAtNetModelTest
   * -Dtfhybrid.excludedGroups=none -Dgroups=slow} (about 20 s, coatnet_4 alone about 10 s).
   */
  @Tag("slow")
  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantBuilds(Variant<CoAtNetConfig> v) {
    try (BuiltModel m = BuiltModel.build(v)) {
      assertEquals(v.config().numClasses(), m.outputs().get(BuiltModel.LOGITS).shape().get(1));
      assertEquals(m.root().variableSpec().size(), m.weights().specs().size());
    }
  }

  @Test
  void wrongSizesAreRejectedBeforeAnyGraphExists() {
    CoAtNet root = CoAtNetVariants.COATNET_0_224.config().createModule();
    for (long[] hw : new long[][] {{225, 225}, {256, 256}, {224, 256}, {112, 112}, {200, 200}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BuiltModel.build("coatnet_0_224", root, hw[0], hw[1]));
      assertTrue(e.getMessage().contains("Legal size for this model: 224x224"), e.getMessage());
      assertTrue(e.getMessage().contains("found " + hw[0] + "x" + hw[1]), e.getMessage());
    }
    String odd = assertThrows(IllegalArgumentException.class,
        () -> root.checkInputSize(200, 200)).getMessage();
    assertTrue(odd.contains("200 is not a multiple of 32 (nearest legal build sizes: 192 and 224)"),
        odd);
    String nonSquare = assertThrows(IllegalArgumentException.class,
        () -> root.checkInputSize(224, 256)).getMessage();
    assertTrue(nonSquare.contains("non-square inputs are not supported"), nonSquare);
    String other = assertThrows(IllegalArgumentException.class,
        () -> root.checkInputSize(256, 256)).getMessage();
    assertTrue(other.contains("withImageSize(256)"), other);
  }

  @Test
  void illegalConfigsAreRejected() {
    String size = assertThrows(IllegalArgumentException.class,
        () -> TINY.withImageSize(100)).getMessage();
    assertTrue(size.contains("multiple of 32") && size.contains("found 100"), size);
    String layout = assertThrows(IllegalArgumentException.class,
        () -> CoAtNetBlockType.layout("C-X-T-T")).getMessage();
    assertTrue(layout.contains("'X'") && layout.contains("'C' (MBConv) or 'T' (Transformer)"),
        layout);
    String count = assertThrows(IllegalArgumentException.class,
        () -> TINY.withBlockTypes(CoAtNetBlockType.layout("C-T-T"))).getMessage();
    assertTrue(count.contains("block_types needs 4 entries (s1..s4)"), count);
    String se = assertThrows(IllegalArgumentException.class,
        () -> CoAtNetConfig.of(64, List.of(1, 1, 1, 1, 1), List.of(2, 8, 8, 8, 8), 10))
        .getMessage();
    assertTrue(se.contains("SE width floor(inp/4)"), se);
    // C-T-T-T (the reference README's variation) is expressible.
    assertEquals("C-T-T-T", CoAtNetBlockType.describe(
        TINY.withBlockTypes(CoAtNetBlockType.layout("CTTT")).blockTypes()));
  }

  @Test
  void wrongInputLayoutOrChannelsAreRejectedBeforeTheGraphRuns() {
    try (BuiltModel m = BuiltModel.build("tiny", TINY.createModule(), 64, 64)) {
      String nchw = assertThrows(IllegalArgumentException.class,
          () -> m.run(randomInput(1, 3, 64, 64), List.of(BuiltModel.LOGITS))).getMessage();
      assertTrue(nchw.contains("expected [N, 64, 64, 3] NHWC") && nchw.contains("NCHW?"), nchw);
      String gray = assertThrows(IllegalArgumentException.class,
          () -> m.run(randomInput(1, 64, 64, 1), List.of(BuiltModel.LOGITS))).getMessage();
      assertTrue(gray.contains("expected [N, 64, 64, 3]") && gray.contains("[1, 64, 64, 1]"), gray);
      String size = assertThrows(IllegalArgumentException.class,
          () -> m.run(randomInput(1, 96, 96, 3), List.of(BuiltModel.LOGITS))).getMessage();
      assertTrue(size.contains("expected [N, 64, 64, 3]"), size);
    }
  }

  @Test
  void everyBlockCaptureTheFixturesNameIsRecorded() {
    try (BuiltModel m = BuiltModel.build("tiny", TINY.createModule(), 64, 64)) {
      for (String c : List.of("s0", "s1.0.proj", "s1.0.conv", "s1.0", "s1", "s2", "s3.0.proj",
          "s3.0.attn", "s3.0.ff", "s3.0", "s3", "s4", "pool")) {
        assertTrue(m.outputs().containsKey(c), "no capture " + c);
      }
      assertArrayEquals(new long[] {-1, 4, 4, 24}, m.outputs().get("s3.0.attn").shape().asArray());
      assertArrayEquals(new long[] {-1, 1, 1, 32}, m.outputs().get("pool").shape().asArray());
    }
  }
}
