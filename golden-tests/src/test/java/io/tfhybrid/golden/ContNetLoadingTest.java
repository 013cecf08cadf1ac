package io.tfhybrid.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.contnet.ContNet;
import io.tfhybrid.arch.contnet.ContNetConfig;
import io.tfhybrid.arch.contnet.ContNetFlags;
import io.tfhybrid.arch.contnet.ContNetVariants;
import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.SafetensorsFiles;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import io.tfhybrid.interop.load.LoadPlan;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strict loading of ConTNet checkpoints: another variant, other build flags (detected from the
 * keys), an altered relative-position index, a DataParallel {@code module.} prefix, and
 * auto-configuration from a checkpoint's keys (pre_norm excepted).
 */
class ContNetLoadingTest {

  static void assertLoadFails(Variant<ContNetConfig> model, Variant<ContNetConfig> other) {
    StateDict sd =
        SyntheticCheckpoints.random(
            other.id() + ".pth", new ContNet(other.config()).stateDictSpec(), 3);
    ContNet root = new ContNet(model.config());
    {
      CheckpointMismatchException e =
          assertThrows(
              CheckpointMismatchException.class, () -> WeightLoader.check(model.id(), root, sd));
      List<String> expected = SyntheticCheckpoints.expectedProblems(root.stateDictSpec(), sd);
      assertEquals(expected, e.problems(), "the full problem list");
      assertTrue(
          e.getMessage()
              .startsWith(
                  "Cannot load checkpoint '"
                      + other.id()
                      + ".pth' into"
                      + " ConTNet '"
                      + model.id()
                      + "' ("
                      + expected.size()
                      + " problems):"),
          e.getMessage());
      assertTrue(
          e.getMessage()
              .contains("\nHint: the checkpoint looks like variant '" + other.id() + "' ("),
          e.getMessage());
    }
  }

  @Test
  void sCheckpointIntoTiListsEveryShapeMismatchAndNamesS() {
    assertLoadFails(ContNetVariants.TI, ContNetVariants.S);
  }

  @Test
  void bCheckpointIntoMListsMissingAndUnexpectedKeysAndNamesB() {
    assertLoadFails(ContNetVariants.M, ContNetVariants.B);
  }

  @Test
  void otherFlagsAreDetectedFromTheKeysAndNamed() {
    ContNetConfig trained =
        ContNetVariants.TI.config().withFlags(new ContNetFlags(true, true, false, false));
    StateDict sd =
        SyntheticCheckpoints.random("ti_rel_avgdown.pth", new ContNet(trained).stateDictSpec(), 5);
    ContNet ti = new ContNet(ContNetVariants.TI.config());
    {
      CheckpointMismatchException e =
          assertThrows(
              CheckpointMismatchException.class,
              () -> WeightLoader.check(ContNetVariants.TI.id(), ti, sd));
      assertEquals(SyntheticCheckpoints.expectedProblems(ti.stateDictSpec(), sd), e.problems());
      String msg = e.getMessage();
      assertTrue(
          msg.contains(
              "\n"
                  + "Hint: the checkpoint was built with other flags: use_avgdown=True: found"
                  + " 'layer1.ConTBlock0.downsample.conv.conv.weight' (avg-down renames the"
                  + " stride-2 shortcut key); relative=True: found"
                  + " 'layer1.ConTBlock0.ste1.attn.relative_position_bias_table' and no"
                  + " 'pe.0'/'pe.1'; qkv_bias=False: 'layer1.ConTBlock0.ste1.attn.qkv.weight' has"
                  + " no '.bias' beside it. This model has use_avgdown=False, relative=False,"
                  + " qkv_bias=True, pre_norm=False; use ContNetConfig.withFlags(new"
                  + " ContNetFlags(true, true, false, false))"),
          msg);
      assertTrue(!msg.contains("looks like variant"), "same topology: no variant hint\n" + msg);
    }
    // With the detected flags the same state dict passes the check, every entry matched.
    LoadPlan plan = WeightLoader.check("ti_rel_avgdown", new ContNet(trained), sd);
    assertEquals(sd.keys(), plan.specs().stream().map(s -> s.key()).toList());
    assertTrue(plan.warnings().isEmpty(), plan.warnings().toString());
  }

  @Test
  void alteredRelativeIndexIsRejected() throws IOException {
    GoldenCase c = GoldenCase.named(Arch.CONTNET, "t2_rel_postnorm_odd53");
    StateDict sd = Checkpoints.read(c.weights(Format.SAFETENSORS));
    String key = "layer1.ConTBlock0.ste2.attn.relative_position_index";
    long[] idx = sd.get(key).toLongArray();
    assertEquals(13L * 27 + 13, idx[0], "query (0,0) vs key (0,0) for p=14");
    idx[5] = 0;
    LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>(sd.asMap());
    t.put(key, HostTensor.ofLongs(sd.get(key).shape(), idx));
    StateDict altered = StateDict.of("altered.safetensors", t, List.of());
    ContNet odd53 = new ContNet(ContNetConfig.fromFixture(c.metadata()));
    {
      CheckpointMismatchException e =
          assertThrows(
              CheckpointMismatchException.class, () -> WeightLoader.check("odd53", odd53, altered));
      assertEquals(
          List.of(
              "computed buffer '"
                  + key
                  + "' differs from the checkpoint: at flat"
                  + " index 5 expected 359, found 0"),
          e.problems());
    }
  }

  @Test
  void modulePrefixOfDataParallelCheckpointsIsStripped(@TempDir Path dir) throws IOException {
    GoldenCase c = GoldenCase.named(Arch.CONTNET, "t2_rel_avgdown_prenorm_b2");
    StateDict sd = Checkpoints.read(c.weights(Format.SAFETENSORS));
    LinkedHashMap<String, HostTensor> prefixed = new LinkedHashMap<>();
    sd.asMap().forEach((k, v) -> prefixed.put("module." + k, v));
    Path file = dir.resolve("ddp.safetensors");
    SafetensorsFiles.write(file, prefixed);
    StateDict read = Checkpoints.read(file);
    assertTrue(
        read.notes().stream().anyMatch(n -> n.contains("stripped the prefix 'module.'")),
        read.notes().toString());
    try (BuiltModel m =
        BuiltModel.build(
            "ddp", new ContNet(ContNetConfig.fromFixture(c.metadata())), c.height(), c.width())) {
      assertEquals(sd.size(), WeightLoader.load(m, read).tensorsLoaded());
    }
  }

  @Test
  void everyFixtureConfigIsRecoveredFromItsWeightFile() throws IOException {
    for (GoldenCase c : GoldenCase.all(Arch.CONTNET).toList()) {
      ContNetConfig expected = ContNetConfig.fromFixture(c.metadata());
      Map<String, long[]> shapes = Checkpoints.read(c.weights(Format.PTH)).shapes();
      io.tfhybrid.arch.Detection<ContNetConfig> inf =
          ContNetConfig.fromCheckpoint(shapes, expected.flags().preNorm()).orElseThrow();
      ContNetConfig got = inf.config();
      if (!expected.flags().relative()) {
        // absolute-PE checkpoints do not show the heads: the user states them
        got = got.withHeadNum(expected.headNum());
      }
      assertEquals(expected, got, c + ": " + inf.reasons());
    }
  }

  @Test
  void detectedConfigReproducesTheReference() throws IOException {
    GoldenCase c = GoldenCase.named(Arch.CONTNET, "t2_rel_avgdown_prenorm_b2");
    Map<String, long[]> shapes = Checkpoints.read(c.weights(Format.SAFETENSORS)).shapes();
    ContNetConfig detected = ContNetConfig.fromCheckpoint(shapes, true).orElseThrow().config();
    GoldenHarness.check(c, Format.SAFETENSORS, new ContNet(detected));
  }

  @Test
  void preNormIsInvisibleSoAWrongGuessLoadsButDiverges() throws IOException {
    GoldenCase c = GoldenCase.named(Arch.CONTNET, "t2_rel_avgdown_prenorm_b2");
    ContNetConfig wrong = ContNetConfig.fromFixture(c.metadata()).withPreNorm(false);
    GoldenFixture.Output ste1 =
        c.expected().stream()
            .filter(e -> e.captureName().equals("layer1.ConTBlock0.ste1"))
            .findFirst()
            .orElseThrow();
    try (BuiltModel m =
        BuiltModel.build("wrong_pre_norm", new ContNet(wrong), c.height(), c.width())) {
      WeightLoader.load(m, Checkpoints.read(c.weights(Format.SAFETENSORS))); // same keys: loads
      HostTensor nhwc = c.inputNhwc();
      HostTensor ours = m.run(nhwc, List.of(ste1.captureName())).get(ste1.captureName());
      GoldenAssert.Measured d =
          GoldenAssert.measure(c, ste1, c.tensor(ste1), ours, Tolerance.DEFAULT);
      assertTrue(d.maxAbsDiff() > 100 * d.bound(), "post-norm should diverge: " + d);
    }
  }
}
