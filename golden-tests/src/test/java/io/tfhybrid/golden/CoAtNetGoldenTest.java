package io.tfhybrid.golden;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.coatnet.CoAtNet;
import io.tfhybrid.arch.coatnet.CoAtNetBlockType;
import io.tfhybrid.arch.coatnet.CoAtNetConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    return GoldenCase.all(Arch.COATNET)
        .flatMap(c -> Arrays.stream(Format.values()).map(f -> Arguments.of(c, f)));
  }

  /** The config of the reference constructor call recorded in config.json. */
  static CoAtNetConfig config(JsonNode caseConfig) {
    JsonNode ctor = caseConfig.get("constructor");
    JsonNode size = ctor.get("image_size");
    if (size.get(0).asInt() != size.get(1).asInt()
        || ctor.get("in_channels").asInt() != CoAtNetConfig.IN_CHANNELS) {
      throw new IllegalStateException("unsupported fixture constructor " + ctor);
    }
    List<CoAtNetBlockType> types = new ArrayList<>();
    ctor.get("block_types").forEach(t -> types.add(CoAtNetBlockType.of(t.asText())));
    return new CoAtNetConfig(size.get(0).asInt(), ints(ctor.get("num_blocks")),
        ints(ctor.get("channels")), types, ctor.get("num_classes").asInt());
  }

  static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(GoldenCase c, Format format) throws Exception {
    GoldenHarness.check(c, format, new CoAtNet(config(c.config())));
  }
}
