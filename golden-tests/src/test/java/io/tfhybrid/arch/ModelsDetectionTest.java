package io.tfhybrid.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.golden.GoldenCase;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Models#detect}: every family reads its official variants and its golden fixtures back
 * from their keys and torch shapes alone (no TensorFlow).
 */
class ModelsDetectionTest {
  static Stream<Variant<?>> variants() {
    return Models.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyOfficialVariantInfersBackToItsConfig(Variant<?> v) {
    Map<String, long[]> shapes = v.config().createModule().stateDictShapes();
    Detection<?> inf = Models.detect(v.arch(), shapes).orElseThrow(
        () -> new AssertionError(v.id() + ": no inference"));
    assertEquals(v.arch(), inf.arch());
    // The weights fix everything but, for size-independent weights (timm's rmlp CoAtNets, whose
    // 224 and 384 models share one layout), the input size: the inferred config at the variant's
    // size is the variant's config (forInputSize is the identity for every other family).
    assertEquals(
        v.config(),
        inf.config().forInputSize(v.height(), v.width()),
        v.id() + ": " + inf.reasons());
    assertTrue(inf.height() > 0 && inf.width() > 0);
    inf.config().createModule().checkInputSize(inf.height(), inf.width());
    assertFalse(inf.reasons().isEmpty());
    // No other family claims the same keys.
    List<Detection<?>> all = Models.detect(shapes);
    assertEquals(List.of(v.arch()), all.stream().map(Detection::arch).toList(), v.id());
  }

  static Stream<GoldenCase> fixtures() {
    return Stream.of(Arch.values())
        .flatMap(GoldenCase::all);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyGoldenCheckpointInfersAConfigWithItsExactStateDict(GoldenCase c) {
    Arch arch = c.arch();
    Map<String, long[]> expected = c.stateDictShapes();
    Detection<?> inf = Models.detect(arch, expected).orElseThrow(
        () -> new AssertionError(c + ": no inference"));
    Map<String, long[]> got = inf.config().createModule().stateDictShapes();
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(got.keySet()), "key order");
    assertEquals(
        GoldenCase.printable(expected), GoldenCase.printable(got), "torch shapes");
    inf.config().createModule().checkInputSize(inf.height(), inf.width());
    assertEquals(List.of(arch), Models.detect(expected).stream().map(Detection::arch).toList());
  }

  @Test
  void keysOfNoFamilyInferNothing() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("encoder.layer.0.weight", new long[] {3, 3});
    shapes.put("fc.weight", new long[] {10, 3});
    assertEquals(List.of(), Models.detect(shapes));
    for (Arch a : Arch.values()) {
      assertEquals(Optional.empty(), Models.detect(a, shapes), a.id());
    }
  }

  @Test
  void aReadingThatDoesNotDeclareEveryKeyIsNoDetection() {
    Variant<?> v = Models.all().get(0);
    Map<String, long[]> shapes = v.config().createModule().stateDictShapes();
    shapes.put("extra.weight", new long[] {1});
    assertEquals(Optional.empty(), Models.detect(v.arch(), shapes));
    assertFalse(Models.declaresExactly(v.config(), shapes));
    shapes.remove("extra.weight");
    String first = shapes.keySet().iterator().next();
    long[] s = shapes.get(first).clone();
    s[0] += 1;
    shapes.put(first, s);
    assertFalse(Models.declaresExactly(v.config(), shapes), Arrays.toString(s));
  }

  @Test
  void everyConfigChangesItsClassCountThroughTheInterface() {
    for (Variant<?> v : Models.all()) {
      ModelConfig c = v.config().withNumClasses(7);
      assertEquals(7, c.numClasses(), v.id());
      assertEquals(v.config().getClass(), c.getClass(), v.id());
      assertEquals(v.config(), c.withNumClasses(v.config().numClasses()), v.id());
    }
  }
}
