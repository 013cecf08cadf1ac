package io.tfhybrid.arch.transcnn;

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
 * by default; run with
 *
 * <pre>
 * mvn -pl architectures test -Dtfhybrid.excludedGroups=none -Dgroups=slow \
 *     -Dtest='HatNetSlowTest'
 * </pre>
 */
@Tag("slow")
class HatNetSlowTest {

  static Stream<Variant<HatNetConfig>> variants() {
    return HatNetVariants.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void buildsAtDefaultResolution(Variant<HatNetConfig> v) {
    try (BuiltModel m = BuiltModel.build(v)) {
      assertArrayEquals(new long[] {-1, v.config().numClasses()},
          m.outputs().get(BuiltModel.LOGITS).shape().asArray());
      assertArrayEquals(new long[] {-1, 7, 7, v.config().featureDim()},
          m.outputs().get("blocks.3").shape().asArray());
      assertEquals(m.root().stateDictSpec().size(), m.weights().specs().size());
    }
  }
}
