package io.tfhybrid.golden;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.coatnet.CoAtNet;
import io.tfhybrid.arch.coatnet.CoAtNetConfig;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CoAtNet fixture (C-C-T-T at 64 and 96, C-T-T-T at 64), from weights.pth and from
 * weights.safetensors: logits and every captured feature (stages, pool, and for tiny_64_b2 the
 * branches s1.0.proj, s1.0.conv, s3.0.proj, s3.0.attn, s3.0.ff) within 1e-4 · max(1, max|ref|).
 */
@Tag("golden")
class CoAtNetGoldenTest {

  static Stream<Arguments> cases() {
    return GoldenCase.withFormats(Arch.COATNET);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(
        c, format, new CoAtNet(CoAtNetConfig.fromFixture(c.metadata())));
  }
}
