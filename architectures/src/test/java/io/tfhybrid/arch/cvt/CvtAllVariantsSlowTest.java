package io.tfhybrid.arch.cvt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Variant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds every official variant at its default resolution (graph + variables, no run). Excluded
 * from the default suite; run with
 * {@code mvn -pl architectures test -Dtfhybrid.excludedGroups=none -Dgroups=slow -Dtest='Cvt*'}.
 */
@Tag("slow")
class CvtAllVariantsSlowTest {
  static Stream<Variant<CvtConfig>> variants() {
    return CvtVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void buildsAtDefaultResolution(Variant<CvtConfig> v) {
    try (BuiltModel m = BuiltModel.build(v)) {
      assertEquals(m.root().variableSpec().size(), m.weights().specs().size());
      assertArrayEquals(new long[] {-1, 1000}, m.outputs().get(BuiltModel.LOGITS).shape().asArray());
      long grid = v.height() / 16;
      assertArrayEquals(new long[] {-1, grid, grid, v.config().lastDim()},
          m.outputs().get("stage2").shape().asArray());
      assertArrayEquals(new long[] {-1, 1, v.config().lastDim()},
          m.outputs().get("norm").shape().asArray());
    }
  }
}
