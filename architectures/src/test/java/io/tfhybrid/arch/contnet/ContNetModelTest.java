package io.tfhybrid.arch.contnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Models;
import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.RandomWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Input-size rules, checkpoint diagnosis, the patch split and one forward pass of ContNet-Ti. */
class ContNetModelTest {
  static final ContNetConfig TI = ContNetVariants.TI.config();

  static ContNetConfig stages(int n) {
    List<Integer> ones = java.util.Collections.nCopies(n, 1);
    return new ContNetConfig(
        8, ones, java.util.Collections.nCopies(n, 16), ones, 5, ContNetFlags.OFFICIAL);
  }

  // ---------------------------------------------------------------- input sizes (spec §6)

  @ParameterizedTest
  @ValueSource(longs = {221, 222, 223, 224, 445, 448, 669, 672, 893})
  void fourStageNetsAcceptSides224kMinus3To224k(long side) {
    ContNet m = new ContNet(TI);
    assertDoesNotThrow(() -> m.checkInputSize(side, side));
    assertDoesNotThrow(() -> m.checkInputSize(224, side));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 112, 220, 225, 256, 384, 444, 449, 668})
  void fourStageNetsRejectOtherSidesBeforeAnyGraphExists(long side) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BuiltModel.build("contnet_ti_224", new ContNet(TI), side, 224));
    assertTrue(e.getMessage().contains("multiples of 56"), e.getMessage());
    assertTrue(
        e.getMessage().contains("224k-3 ... 224k for k >= 1 (221-224, 445-448, 669-672, ...)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("found H=" + side), e.getMessage());
  }

  @Test
  void messageNamesBothSidesAndWhereToPad() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ContNet(TI).checkInputSize(230, 300));
    assertEquals(
        "ConTNet (4 stages) cannot run a 230x300 input: it needs ceil(H/4) and ceil(W/4) to be"
            + " multiples of 56 (every STE needs its map to be a multiple of its patch side), i.e."
            + " legal sides 224k-3 ... 224k for k >= 1 (221-224, 445-448, 669-672, ...); found"
            + " H=230 (ceil(H/4)=58), W=300 (ceil(W/4)=75). Hint: pad or resize to 445x445.",
        e.getMessage());
  }

  @Test
  void fewerStagesHaveTheGeneralRule() {
    // N stages: ceil(side/4) a multiple of 7·2^(N−1): [28k−3, 28k], [56k−3, 56k], [112k−3, 112k].
    assertEquals(List.of(25L, 26L, 27L, 28L, 53L, 54L, 55L, 56L), legal(stages(1), 60));
    assertEquals(List.of(53L, 54L, 55L, 56L, 109L, 110L, 111L, 112L), legal(stages(2), 120));
    assertEquals(List.of(109L, 110L, 111L, 112L, 221L, 222L, 223L, 224L), legal(stages(3), 230));
    assertTrue(new ContNet(stages(2)).config().legalSides().startsWith("56k-3 ... 56k"));
    // the fixtures' odd, non-square sizes
    assertDoesNotThrow(() -> new ContNet(stages(2)).checkInputSize(53, 56));
    assertDoesNotThrow(() -> new ContNet(stages(2)).checkInputSize(56, 112));
    assertDoesNotThrow(() -> new ContNet(stages(3)).checkInputSize(109, 224));
  }

  private static List<Long> legal(ContNetConfig c, long upTo) {
    List<Long> out = new java.util.ArrayList<>();
    for (long s = 0; s <= upTo; s++) {
      if (c.isLegalSide(s)) {
        out.add(s);
      }
    }
    return out;
  }

  @Test
  void channelsAndLayoutAreCheckedBeforeTheGraphRuns() {
    try (BuiltModel m = BuiltModel.build("tiny", new ContNet(stages(1)), 28, 28)) {
      IllegalArgumentException nchw =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  m.run(
                      HostTensor.ofFloats(new long[] {1, 3, 28, 28}, new float[3 * 28 * 28]),
                      List.of(BuiltModel.LOGITS)));
      assertTrue(
          nchw.getMessage()
              .contains(
                  "expected [N, 28, 28, 3] NHWC float32, found [1, 3, 28, 28]"
                      + " (NCHW? use Layouts.nchwToNhwc)"),
          nchw.getMessage());
      IllegalArgumentException gray =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  m.run(
                      HostTensor.ofFloats(new long[] {1, 28, 28, 1}, new float[28 * 28]),
                      List.of(BuiltModel.LOGITS)));
      assertTrue(gray.getMessage().contains("found [1, 28, 28, 1]"), gray.getMessage());
    }
  }

  @Test
  void configRejectsInconsistentHyperParameters() {
    IllegalArgumentException odd =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ContNetConfig(7, List.of(1), List.of(8), List.of(1), 3, ContNetFlags.OFFICIAL));
    assertTrue(odd.getMessage().contains("must be even"), odd.getMessage());
    assertDoesNotThrow(
        () ->
            new ContNetConfig(
                7,
                List.of(1),
                List.of(8),
                List.of(1),
                3,
                ContNetFlags.OFFICIAL.withRelative(true)));
    IllegalArgumentException heads =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ContNetConfig(
                    6, List.of(1, 1), List.of(8, 8), List.of(4, 2), 3, ContNetFlags.OFFICIAL));
    assertTrue(
        heads
            .getMessage()
            .contains("layer1: planes inplanes·2^0 = 6 must be divisible by" + " headNum[0] = 4"),
        heads.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ContNetConfig(
                8, List.of(1, 1), List.of(8), List.of(1, 1), 3, ContNetFlags.OFFICIAL));
  }

  // ---------------------------------------------------------------- checkpoint diagnosis

  static Map<String, long[]> shapesOf(ContNetConfig c, String prefix) {
    Map<String, long[]> m = new LinkedHashMap<>();
    new ContNet(c).stateDictSpec().forEach(s -> m.put(prefix + s.key(), s.torchShape()));
    return m;
  }

  @Test
  void diagnoseNamesTheVariantACheckpointLooksLike() {
    List<String> hints = new ContNet(TI).diagnose(shapesOf(ContNetVariants.B.config(), ""));
    assertEquals(1, hints.size(), hints.toString());
    assertEquals(
        "the checkpoint looks like variant 'contnet_b_224' (inplanes 64, layers [3, 4, 6, 3],"
            + " mlp_dim [256, 512, 1024, 1024], head_num [1, 2, 4, 8]); this model has inplanes 48,"
            + " layers [1, 1, 1, 1], mlp_dim [196, 392, 768, 768], head_num [1, 2, 4, 8]",
        hints.get(0));
    // with a DataParallel prefix too
    assertEquals(hints, new ContNet(TI).diagnose(shapesOf(ContNetVariants.B.config(), "module.")));
  }

  @Test
  void diagnoseReportsDetectedFlagsWithTheirEvidence() {
    ContNetFlags other = new ContNetFlags(true, true, false, true);
    List<String> hints =
        new ContNet(ContNetVariants.S.config())
            .diagnose(shapesOf(ContNetVariants.S.config().withFlags(other), ""));
    assertEquals(1, hints.size(), hints.toString());
    String h = hints.get(0);
    assertTrue(
        h.startsWith(
            "the checkpoint was built with other flags: use_avgdown=True: found"
                + " 'layer1.ConTBlock0.downsample.conv.conv.weight'"),
        h);
    assertTrue(
        h.contains(
            "relative=True: found 'layer1.ConTBlock0.ste1.attn.relative_position_bias_table'"
                + " and no 'pe.0'/'pe.1'"),
        h);
    assertTrue(
        h.contains("qkv_bias=False: 'layer1.ConTBlock0.ste1.attn.qkv.weight' has no '.bias'"), h);
    assertTrue(
        h.contains("use ContNetConfig.withFlags(new ContNetFlags(true, true, false, false))"), h);
    assertTrue(h.contains("pre_norm is not visible in a checkpoint"), h);
  }

  @Test
  void diagnoseReportsAnotherClassCount() {
    List<String> hints = new ContNet(TI).diagnose(shapesOf(TI.withNumClasses(21843), ""));
    assertEquals(
        List.of(
            "the checkpoint has 21843 classes, this model 1000: for a different class"
                + " count use ContNetConfig.withNumClasses(21843)"),
        hints);
  }

  @Test
  void diagnoseDescribesUnofficialTopologiesAndForeignFiles() {
    List<String> hints = new ContNet(TI).diagnose(shapesOf(stages(2), ""));
    assertTrue(
        hints
            .get(0)
            .startsWith(
                "the checkpoint's shapes describe inplanes 8, layers [1, 1],"
                    + " mlp_dim [16, 16], head_num [1, 2], which is no official variant"),
        hints.toString());
    List<String> foreign = new ContNet(TI).diagnose(Map.of("stages.0.weight", new long[] {3}));
    assertTrue(
        foreign.get(0).startsWith("the checkpoint is not a ConTNet state_dict"),
        foreign.toString());
  }

  @Test
  void detectionExplainsEveryFlag() {
    ContNetFlags.Detection d = ContNetFlags.detect(shapesOf(TI, "module."), false);
    assertEquals(ContNetFlags.OFFICIAL, d.flags());
    assertEquals(
        List.of(
            "use_avgdown=False: found 'layer1.ConTBlock0.downsample.conv.weight' (not"
                + " 'downsample.conv.conv.weight')",
            "relative=False: found 'layer1.ConTBlock0.ste1.pe.0' and no"
                + " 'relative_position_bias_table'",
            "qkv_bias=True: found 'layer1.ConTBlock0.ste1.attn.qkv.bias'",
            "pre_norm=False: given by the caller (not visible in a checkpoint: same keys and"
                + " shapes; the official default is False)"),
        d.reasons().stream().map(io.tfhybrid.arch.Reason::text).toList());
    ContNetFlags.Detection one = ContNetFlags.detect(shapesOf(stages(1), ""), true);
    assertEquals(new ContNetFlags(false, false, true, true), one.flags());
    assertEquals(
        "use_avgdown=False: no stride-2 stage shortcut, so the flag has no effect",
        one.reasons().get(0).text());
    assertThrows(
        IllegalArgumentException.class,
        () -> ContNetFlags.detect(Map.of("fc.weight", new long[] {2, 2}), false));
  }

  // ---------------------------------------------------------------- patch split (spec §4.3, §7.4)

  @ParameterizedTest
  @ValueSource(ints = {7, 14})
  void patchifyOrdersPatchesBatchMajorAndTokensRowMajor(int p) {
    long b = 2;
    long h = 2L * p;
    long w = p == 7 ? 4L * p : p; // nw = 4 (transpose path) and nw = 1 (pure reshape path)
    long c = 3;
    float[] x = new float[(int) (b * h * w * c)];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    try (GraphTester g = GraphTester.create()) {
      Operand<TFloat32> in = g.constant(new long[] {b, h, w, c}, x);
      Operand<TFloat32> t = ContNetPatches.patchify(g.tf(), in, p);
      List<HostTensor> out = g.evalAll(List.of(t));
      long nh = h / p;
      long nw = w / p;
      assertArrayEquals(new long[] {b * nh * nw, (long) p * p, c}, out.get(0).shape());
      float[] tok = out.get(0).toFloatArray();
      for (long bb = 0; bb < b; bb++) {
        for (long i = 0; i < nh; i++) {
          for (long k = 0; k < nw; k++) {
            for (long r = 0; r < p; r++) {
              for (long col = 0; col < p; col++) {
                for (long ch = 0; ch < c; ch++) {
                  long row = (bb * nh + i) * nw + k;
                  long n = r * p + col;
                  float expected = x[(int) (((bb * h + i * p + r) * w + k * p + col) * c + ch)];
                  assertEquals(expected, tok[(int) ((row * p * p + n) * c + ch)]);
                }
              }
            }
          }
        }
      }
    }
  }

  @Test
  void relativeIndexFollowsTheSpecFormula() {
    for (int p : new int[] {7, 14}) {
      long[] idx = ContNetMhsa.index(p);
      int n = p * p;
      assertEquals((long) n * n, idx.length);
      for (int a = 0; a < n; a++) {
        for (int m = 0; m < n; m++) {
          long expected = (long) (a / p - m / p + p - 1) * (2 * p - 1) + (a % p - m % p + p - 1);
          assertEquals(expected, idx[a * n + m]);
        }
      }
      assertEquals(0, idx[n - 1]); // query (0,0), key (p-1,p-1)
      assertEquals((2L * p - 1) * (2 * p - 1) - 1, idx[(n - 1) * n]);
    }
  }

  @Test
  void relativeBiasIsADerivedVariableGatheredAtLoad() {
    ContNet m = new ContNet(stages(2).withFlags(ContNetFlags.OFFICIAL.withRelative(true)));
    List<ParamSpec> derived =
        m.variableSpec().stream().filter(s -> s.kind() == ParamSpec.Kind.DERIVED).toList();
    assertEquals(
        List.of(
            "layer1.ConTBlock0.ste1.attn.relative_position_bias",
            "layer1.ConTBlock0.ste2.attn.relative_position_bias",
            "layer2.ConTBlock0.ste1.attn.relative_position_bias",
            "layer2.ConTBlock0.ste2.attn.relative_position_bias"),
        derived.stream().map(ParamSpec::key).toList());
    assertArrayEquals(new long[] {1, 196, 196}, derived.get(1).tfShape());
    assertEquals(
        List.of("layer1.ConTBlock0.ste2.attn.relative_position_bias_table"),
        derived.get(1).derivation().sources());
    ParamSpec index =
        m.stateDictSpec().stream()
            .filter(s -> s.key().equals("layer1.ConTBlock0.ste2.attn.relative_position_index"))
            .findFirst()
            .orElseThrow();
    assertArrayEquals(ContNetMhsa.index(14), index.expected().toLongArray());
  }

  // ---------------------------------------------------------------- smoke: ContNet-Ti at 224

  @Test
  void tinyRunsOneForwardPassAtItsDefaultResolution() {
    try (BuiltModel m = Models.build("contnet_ti_224")) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 7));
      int batch = 2;
      float[] x = new float[batch * 224 * 224 * 3];
      SplittableRandom rnd = new SplittableRandom(11);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextDouble() * 4 - 2);
      }
      Map<String, HostTensor> out =
          m.run(
              HostTensor.ofFloats(new long[] {batch, 224, 224, 3}, x),
              List.of(
                  BuiltModel.LOGITS,
                  BuiltModel.FEATURES,
                  "layer0",
                  "layer4",
                  "layer1.ConTBlock0.relu",
                  "layer1.ConTBlock0.ste1.attn"));
      assertArrayEquals(new long[] {batch, 1000}, out.get(BuiltModel.LOGITS).shape());
      assertArrayEquals(new long[] {batch, 768}, out.get(BuiltModel.FEATURES).shape());
      assertArrayEquals(new long[] {batch, 56, 56, 48}, out.get("layer0").shape());
      assertArrayEquals(new long[] {batch, 7, 7, 768}, out.get("layer4").shape());
      assertArrayEquals(new long[] {batch, 56, 56, 48}, out.get("layer1.ConTBlock0.relu").shape());
      assertArrayEquals(
          new long[] {batch * 64, 49, 48}, out.get("layer1.ConTBlock0.ste1.attn").shape());
      for (HostTensor t : out.values()) {
        for (float f : t.toFloatArray()) {
          assertTrue(Float.isFinite(f), "non-finite output");
        }
      }
      float[] logits = out.get(BuiltModel.LOGITS).toFloatArray();
      boolean differs = false;
      for (int i = 0; i < 1000; i++) {
        differs |= logits[i] != logits[1000 + i];
      }
      assertTrue(differs, "two different images gave identical logits");
    }
  }
}
