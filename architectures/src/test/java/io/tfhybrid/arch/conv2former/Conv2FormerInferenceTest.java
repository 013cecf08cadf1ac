package io.tfhybrid.arch.conv2former;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.GoldenShapes;
import io.tfhybrid.arch.Inference;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.contnet.ContNetVariants;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Conv2FormerVariants#infer}: every hyper-parameter of a Conv2Former is in its shapes. */
class Conv2FormerInferenceTest {

  static Map<String, long[]> shapes(Conv2FormerConfig c) {
    Map<String, long[]> m = new LinkedHashMap<>();
    new Conv2Former(c).stateDictSpec().forEach(s -> m.put(s.key(), s.torchShape()));
    return m;
  }

  static java.util.stream.Stream<Variant<Conv2FormerConfig>> variants() {
    return Conv2FormerVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantInfersBackToItsConfigAt224(Variant<Conv2FormerConfig> v) {
    Inference<Conv2FormerConfig> inf = Conv2FormerVariants.infer(shapes(v.config())).orElseThrow();
    assertEquals(v.config(), inf.config());
    assertEquals(Arch.CONV2FORMER, inf.arch());
    assertEquals(224, inf.height());
    assertEquals(224, inf.width());
  }

  static java.util.stream.Stream<Path> cases() throws IOException {
    return Conv2FormerStructureTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFixtureCheckpointInfersItsExactConfig(Path dir) throws IOException {
    JsonNode cfg = Conv2FormerStructureTest.json(dir.resolve("config.json"));
    Conv2FormerConfig expected = Conv2FormerStructureTest.fromKwargs(cfg.get("model_kwargs"));
    String name = dir.getFileName().toString();
    Inference<?> inf =
        Models.infer(Arch.CONV2FORMER, GoldenShapes.of(Arch.CONV2FORMER, name)).orElseThrow();
    assertEquals(expected, inf.config(), inf.reasons().toString());
    assertTrue(
        inf.reasons()
            .contains(
                "kernel_size="
                    + expected.kernelSize()
                    + ": 'stages.0.0.attn.att.2.weight' is [" + expected.dims().get(0) + ", 1, "
                    + expected.kernelSize() + ", " + expected.kernelSize() + "]"),
        inf.reasons().toString());
  }

  @Test
  void anotherFamilyIsNoConv2Former() {
    Map<String, long[]> contnet = new LinkedHashMap<>();
    ContNetVariants.TI.config().createModule().stateDictSpec()
        .forEach(s -> contnet.put(s.key(), s.torchShape()));
    assertEquals(Optional.empty(), Conv2FormerVariants.infer(contnet));
  }
}
