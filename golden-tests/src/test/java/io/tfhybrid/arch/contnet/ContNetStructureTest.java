package io.tfhybrid.arch.contnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.golden.FixtureJson;
import io.tfhybrid.golden.GoldenCase;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.Module;
import io.tfhybrid.nn.ParamSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key lists, torch shapes, dtypes and parameter counts against the fixtures, without TensorFlow.
 */
class ContNetStructureTest {

  static Stream<Variant<ContNetConfig>> variants() {
    return ContNetVariants.ALL.stream();
  }

  static Stream<GoldenCase> cases() {
    return GoldenCase.all(Arch.CONTNET);
  }

  /** variants.json name of a registry id: contnet_ti_224 → ConTNet-Ti. */
  static JsonNode variantJson(Variant<ContNetConfig> v) {
    String size = v.id().split("_")[1];
    String name = "ConTNet-" + (size.equals("ti") ? "Ti" : size.toUpperCase(java.util.Locale.ROOT));
    JsonNode n = GoldenCase.variantsJson(Arch.CONTNET).get("variants").get(name);
    assertNotNull(n, "variants.json has no " + name);
    return n;
  }

  /** One row per state_dict entry: key, torch shape, dtype as variants.json spells it. */
  static List<String> rows(Module m) {
    List<String> out = new ArrayList<>();
    for (ParamSpec s : m.stateDictSpec()) {
      out.add(
          s.key()
              + " "
              + Checks.shape(s.torchShape())
              + " "
              + s.dtype().torchName().substring("torch.".length()));
    }
    return out;
  }

  static List<String> rows(JsonNode stateDictList) {
    List<String> out = new ArrayList<>();
    stateDictList.forEach(
        r ->
            out.add(
                r.get(0).asText()
                    + " "
                    + Checks.shape(FixtureJson.longs(r.get(1)))
                    + " "
                    + r.get(2).asText()));
    return out;
  }

  static long bufferNumel(Module m) {
    return m.stateDictSpec().stream()
        .filter(s -> s.kind() == ParamSpec.Kind.BUFFER)
        .mapToLong(ParamSpec::numel)
        .sum();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantMatchesVariantsJson(Variant<ContNetConfig> v) {
    JsonNode ref = variantJson(v);
    ContNetConfig c = v.config();
    assertEquals(
        c,
        ContNetConfig.fromReference(ref.get("hyper_parameters"), ref.get("official_flags")),
        "hyper-parameters and official flags");
    assertEquals(224, v.height());
    assertEquals(224, v.width());
    ContNet m = new ContNet(c);
    assertEquals(rows(ref.get("state_dict")), rows(m), "state_dict keys, shapes, dtypes, order");
    assertEquals(ref.get("state_dict_entries").asInt(), m.stateDictSpec().size());
    assertEquals(ref.get("param_count").asLong(), m.parameterCount(), "parameter count");
    assertEquals(ref.get("buffer_numel").asLong(), bufferNumel(m), "buffer numel");
    assertEquals(
        ref.get("output_shapes_at_224_batch1").get("logits").get(1).asInt(), m.numClasses());
    int n = c.numStages();
    assertEquals(
        ref.get("output_shapes_at_224_batch1").get("layer" + n).get(1).asInt(), m.featureDim());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void relativeVariantMatchesVariantsJson(Variant<ContNetConfig> v) {
    JsonNode ref = variantJson(v);
    ContNet official = new ContNet(v.config());
    ContNet relative = new ContNet(v.config().withFlags(ContNetFlags.OFFICIAL.withRelative(true)));
    assertEquals(ref.get("param_count_relative_true").asLong(), relative.parameterCount());
    assertEquals(ref.get("buffer_numel_relative_true").asLong(), bufferNumel(relative));
    assertEquals(
        ref.get("state_dict_entries_relative_true").asInt(), relative.stateDictSpec().size());
    Set<String> before = new LinkedHashSet<>(rows(official));
    Set<String> after = new LinkedHashSet<>(rows(relative));
    List<String> removed =
        before.stream()
            .filter(r -> !after.contains(r))
            .map(r -> r.substring(0, r.indexOf(' ')))
            .toList();
    List<String> added = after.stream().filter(r -> !before.contains(r)).toList();
    JsonNode diff = ref.get("state_dict_relative_true_differs");
    List<String> refRemoved = new ArrayList<>();
    diff.get("removed").forEach(x -> refRemoved.add(x.asText()));
    assertEquals(refRemoved, removed);
    assertEquals(rows(diff.get("added")), added);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void avgdownRenamesOnlyTheStride2Shortcuts(Variant<ContNetConfig> v) {
    ContNet plain = new ContNet(v.config());
    ContNet avg = new ContNet(v.config().withFlags(ContNetFlags.OFFICIAL.withUseAvgdown(true)));
    assertEquals(plain.parameterCount(), avg.parameterCount());
    List<String> p = plain.stateDictSpec().stream().map(ParamSpec::key).toList();
    List<String> a = avg.stateDictSpec().stream().map(ParamSpec::key).toList();
    assertEquals(p.size(), a.size());
    int renamed = 0;
    for (int i = 0; i < p.size(); i++) {
      if (!p.get(i).equals(a.get(i))) {
        renamed++;
        assertEquals(
            p.get(i).replace("downsample.conv.weight", "downsample.conv.conv.weight"), a.get(i));
        assertFalse(
            p.get(i).startsWith("layer" + v.config().numStages() + "."), "last stage renamed");
      }
    }
    assertEquals(v.config().numStages() - 1, renamed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantIsRegistered(Variant<ContNetConfig> v) {
    assertEquals(v, Models.variant(v.id()));
    assertEquals(Arch.CONTNET, v.arch());
  }

  @Test
  void registryHoldsTheFourOfficialVariants() {
    assertEquals(
        List.of("contnet_ti_224", "contnet_s_224", "contnet_m_224", "contnet_b_224"),
        Models.of(Arch.CONTNET).stream().map(Variant::id).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void caseConfigMatchesItsStateDict(GoldenCase gc) {
    JsonNode c = gc.metadata();
    ContNet m = new ContNet(ContNetConfig.fromFixture(c));
    List<String> expected = new ArrayList<>();
    gc.stateDictShapes().forEach((k, s) -> expected.add(k + " " + Checks.shape(s)));
    List<String> actual =
        m.stateDictSpec().stream().map(s -> s.key() + " " + Checks.shape(s.torchShape())).toList();
    assertEquals(expected, actual, c.get("case").asText() + ": keys, shapes, order");
    assertEquals(c.get("param_count").asLong(), m.parameterCount(), c.get("case").asText());
    assertEquals(c.get("outputs").get("logits").get("shape").get(1).asInt(), m.numClasses());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void caseStagesMatchTheDerivedStageTable(GoldenCase gc) {
    JsonNode c = gc.metadata();
    ContNetConfig cfg = ContNetConfig.fromFixture(c);
    List<ContNetStageConfig> stages = cfg.stages();
    assertEquals(c.get("stages").size(), stages.size());
    for (int i = 0; i < stages.size(); i++) {
      JsonNode ref = c.get("stages").get(i);
      ContNetStageConfig s = stages.get(i);
      assertEquals(ref.get("stage").asText(), s.name());
      assertEquals(ref.get("blocks").asInt(), s.blocks());
      assertEquals(ref.get("planes").asInt(), s.planes());
      assertEquals(ref.get("out_channels").asInt(), s.outPlanes());
      assertEquals(ref.get("heads").asInt(), s.heads());
      assertEquals(ref.get("head_dim").asInt(), s.headDim());
      assertEquals(ref.get("mlp_dim").asInt(), s.mlpDim());
      assertEquals(
          List.of(s.patchSize1(), s.patchSize2()), FixtureJson.ints(ref.get("patch_sizes")));
      assertEquals(ref.get("stride").asInt(), s.stride());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void flagsAreDetectedFromTheCaseStateDict(GoldenCase gc) {
    JsonNode c = gc.metadata();
    ContNetConfig cfg = ContNetConfig.fromFixture(c);
    Map<String, long[]> shapes = gc.stateDictShapes();
    ContNetFlags.Detection d = ContNetFlags.detect(shapes, cfg.flags().preNorm());
    assertEquals(cfg.flags(), d.flags(), d.reasons().toString());
    assertEquals(4, d.reasons().size());
    io.tfhybrid.arch.Detection<ContNetConfig> inf =
        ContNetConfig.fromCheckpoint(shapes, cfg.flags().preNorm()).orElseThrow();
    ContNetConfig got = inf.config();
    assertEquals(cfg.inplanes(), got.inplanes());
    assertEquals(cfg.layers(), got.layers());
    assertEquals(cfg.mlpDim(), got.mlpDim());
    assertEquals(cfg.numClasses(), got.numClasses());
    if (cfg.flags().relative()) {
      assertEquals(cfg, got, "relative tables reveal the heads too");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void variantIsRecognisedFromItsKeys(Variant<ContNetConfig> v) {
    Map<String, long[]> shapes = ContNetFixtures.variantShapes(variantJson(v).get("state_dict"));
    io.tfhybrid.arch.Detection<ContNetConfig> inf =
        ContNetConfig.fromCheckpoint(shapes, false).orElseThrow();
    assertEquals(v.config(), inf.config());
    assertTrue(
        inf.reasonTexts().stream().anyMatch(r -> r.startsWith("relative=False: found '")),
        inf.reasons().toString());
  }
}
