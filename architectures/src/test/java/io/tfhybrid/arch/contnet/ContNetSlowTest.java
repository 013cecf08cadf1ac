package io.tfhybrid.arch.contnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Variant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds every official variant at its default resolution (graph + variables; shapes only, the
 * numbers come from the golden cases). Excluded by default; run with {@code mvn -pl architectures
 * test -Dtfhybrid.excludedGroups=none -Dgroups=slow -Dtest='ContNet*'}.
 */
@Tag("slow")
class ContNetSlowTest {

  static Stream<Variant<ContNetConfig>> variants() {
    return ContNetVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void buildsAtItsDefaultResolution(Variant<ContNetConfig> v) {
    try (BuiltModel m = BuiltModel.build(v)) {
      int c0 = v.config().inplanes();
      assertArrayEquals(
          new long[] {-1, 1000}, m.outputs().get(BuiltModel.LOGITS).shape().asArray());
      assertArrayEquals(
          new long[] {-1, 16L * c0}, m.outputs().get(BuiltModel.FEATURES).shape().asArray());
      assertArrayEquals(new long[] {-1, 56, 56, c0}, m.outputs().get("layer0").shape().asArray());
      assertArrayEquals(
          new long[] {-1, 28, 28, 2L * c0}, m.outputs().get("layer1").shape().asArray());
      assertArrayEquals(
          new long[] {-1, 14, 14, 4L * c0}, m.outputs().get("layer2").shape().asArray());
      assertArrayEquals(
          new long[] {-1, 7, 7, 8L * c0}, m.outputs().get("layer3").shape().asArray());
      assertArrayEquals(
          new long[] {-1, 7, 7, 16L * c0}, m.outputs().get("layer4").shape().asArray());
      assertEquals(m.root().variableSpec().size(), m.weights().specs().size());
    }
  }
}
