package io.tfhybrid.arch.coatnettimm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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

/** Forward pass of the smallest architecture, full-size builds (slow) and the input-size rules. */
class CoAtNetTimmModelTest {

  /** coatnet_nano_rw_224 (the smallest architecture) at 224 with random weights: one forward pass. */
  @Test
  void smallestArchitectureRunsOneForwardPass() {
    try (BuiltModel m = Models.build("coatnet_nano_rw_224")) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
      Map<String, HostTensor> out =
          m.run(
              RandomWeights.input(7, 1, 224, 224, 3),
              List.of(BuiltModel.LOGITS, BuiltModel.FEATURES, "stages.2", "stages.3",
                  "stages.3.blocks.1.attn.rel_pos", CoAtNetTimm.GLOBAL_POOL));
      assertArrayEquals(new long[] {1, 1000}, out.get(BuiltModel.LOGITS).shape());
      assertArrayEquals(new long[] {1, 512}, out.get(BuiltModel.FEATURES).shape());
      assertArrayEquals(new long[] {1, 14, 14, 256}, out.get("stages.2").shape());
      assertArrayEquals(new long[] {1, 7, 7, 512}, out.get("stages.3").shape());
      assertArrayEquals(
          new long[] {1, 16, 49, 49}, out.get("stages.3.blocks.1.attn.rel_pos").shape());
      for (HostTensor t : out.values()) {
        for (float v : t.toFloatArray()) {
          assertTrue(Float.isFinite(v), "non-finite output");
        }
      }
    }
  }

  static List<Variant<CoAtNetTimmConfig>> architectures() {
    return CoAtNetTimmVariants.ARCHITECTURE_VARIANTS;
  }

  /**
   * Every architecture builds (graph + variables) at its pretrained size. Tagged slow; run it with
   * {@code mvn -pl architectures test -Dtest=CoAtNetTimmModelTest -Dtfhybrid.excludedGroups=none
   * -Dgroups=slow}.
   */
  @Tag("slow")
  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void everyArchitectureBuilds(Variant<CoAtNetTimmConfig> v) {
    try (BuiltModel m = BuiltModel.build(v)) {
      assertEquals(v.config().numClasses(), m.outputs().get(BuiltModel.LOGITS).shape().get(1));
      assertEquals(
          (long) v.config().embedDim().get(3), m.outputs().get(BuiltModel.FEATURES).shape().get(1));
      assertEquals(m.root().variableSpec().size(), m.weights().specs().size());
    }
  }

  @Test
  void rmlpArchitecturesBuildAtOtherLegalSizes() {
    CoAtNetTimmConfig rmlp2 = CoAtNetTimmVariants.architecture("coatnet_rmlp_2_rw_224").config();
    assertEquals(384, rmlp2.forInputSize(384, 384).height());
    assertEquals(320, rmlp2.forInputSize(224, 320).width());
    assertSame(rmlp2, rmlp2.forInputSize(224, 224));
    // The same weights: no key or shape depends on the size.
    assertEquals(
        List.copyOf(rmlp2.createModule().stateDictShapes().keySet()),
        List.copyOf(rmlp2.forInputSize(384, 384).createModule().stateDictShapes().keySet()));
    String notMultiple =
        assertThrows(IllegalArgumentException.class, () -> rmlp2.forInputSize(240, 240))
            .getMessage();
    assertTrue(notMultiple.contains("stage 3 pools a side of 15 to 7 but its relative-position"
        + " window has 8"), notMultiple);
    assertTrue(notMultiple.contains("must be multiples of 32 (or one less"), notMultiple);
    // An odd side one below a multiple of 32: the stem rounds it up, the windows round it down.
    assertEquals(223, rmlp2.forInputSize(223, 223).height());
    // rmlp_1_rw's max pools round up like the windows: any multiple of 8.
    CoAtNetTimmConfig rmlp1 = CoAtNetTimmVariants.architecture("coatnet_rmlp_1_rw_224").config();
    assertEquals(8, rmlp1.legalMultiple());
    assertEquals(232, rmlp1.forInputSize(232, 232).height());
    String odd =
        assertThrows(IllegalArgumentException.class, () -> rmlp1.forInputSize(228, 228))
            .getMessage();
    assertTrue(odd.contains("must be multiples of 8"), odd);
  }

  @Test
  void tableArchitecturesNameTheSizeTheirTablesFit() {
    CoAtNetTimmConfig c0 = CoAtNetTimmVariants.architecture("coatnet_0_rw_224").config();
    String msg =
        assertThrows(IllegalArgumentException.class, () -> c0.forInputSize(256, 256)).getMessage();
    assertTrue(msg.contains("bias tables fit 224x224 inputs only (729 rows for the 14x14 window"),
        msg);
    assertTrue(msg.contains("found 256x256"), msg);
    String run =
        assertThrows(IllegalArgumentException.class, () -> c0.createModule().checkInputSize(256, 256))
            .getMessage();
    assertEquals(
        "CoAtNet (timm) built for 224x224 accepts only 224x224 inputs, found 256x256: its"
            + " relative-position bias tables fit 224x224 inputs only (feed 224x224)",
        run);
    String rmlp =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    CoAtNetTimmVariants.architecture("coatnet_rmlp_2_rw_384")
                        .config()
                        .createModule()
                        .checkInputSize(224, 224))
            .getMessage();
    assertTrue(rmlp.contains("forInputSize(224, 224) (the CLI's --size)"), rmlp);
  }

  @Test
  void architectureNamesAndTagsResolve() {
    assertEquals(26, CoAtNetTimmVariants.ALL.size());
    assertEquals(11821, Models.variant("coatnet_3_rw_224").config().numClasses());
    assertEquals(11821, Models.variant("coatnet_2_rw_224.sw_in12k").config().numClasses());
    assertEquals(1000, Models.variant("coatnet_2_rw_224.sw_in12k_ft_in1k").config().numClasses());
    assertEquals(384, Models.variant("coatnet_rmlp_2_rw_384.sw_in12k_ft_in1k").height());
    assertEquals(
        "coatnet_1_rw_224", CoAtNetTimmVariants.architecture("coatnet_1_rw_224.sw_in1k").id());
    String unknown =
        assertThrows(
                IllegalArgumentException.class,
                () -> CoAtNetTimmVariants.architecture("coatnext_nano_rw_224.sw_in1k"))
            .getMessage();
    assertTrue(unknown.contains("ConvNeXt blocks: not supported"), unknown);
  }
}
