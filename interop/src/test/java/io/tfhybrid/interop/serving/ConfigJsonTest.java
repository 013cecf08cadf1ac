package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.contnet.ContNetVariants;
import io.tfhybrid.arch.conv2former.Conv2FormerVariants;
import io.tfhybrid.arch.cvt.CvtVariants;
import io.tfhybrid.arch.cvt.GeluKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export metadata's config JSON reads back into the same config record, for every family. */
class ConfigJsonTest {
  @TempDir Path dir;

  @Test
  void everyRegisteredConfigSurvivesTheRoundTrip() throws IOException {
    Set<Arch> families = new HashSet<>();
    for (Variant<?> v : Models.all()) {
      JsonNode json = ConfigJson.write(v.config());
      ModelConfig back = ConfigJson.read(v.arch(), json);
      assertEquals(v.config(), back, v.id() + ": " + json);
      families.add(v.arch());
    }
    assertEquals(Set.of(Arch.values()), families, "a variant of every family");
  }

  @Test
  void changedConfigsSurviveTooAndNamesAreSnakeCase() throws IOException {
    ModelConfig erf = CvtVariants.CVT_13.withMlpActivation(GeluKind.ERF).withNumClasses(7);
    assertEquals(erf, ConfigJson.read(Arch.CVT, ConfigJson.write(erf)));
    ModelConfig pre = ContNetVariants.TI.config().withPreNorm(true);
    assertEquals(pre, ConfigJson.read(Arch.CONTNET, ConfigJson.write(pre)));
    JsonNode c2f = ConfigJson.write(Conv2FormerVariants.N.config());
    assertEquals(7, c2f.get("kernel_size").asInt(), c2f.toString());
    List<Integer> depths = new java.util.ArrayList<>();
    c2f.get("depths").forEach(d -> depths.add(d.asInt()));
    assertEquals(Conv2FormerVariants.N.config().depths(), depths, c2f.toString());
    assertTrue(c2f.has("mlp_ratios"), c2f.toString());
  }

  @Test
  void invalidConfigsAreRejectedByTheRecord() {
    ObjectNode c2f = (ObjectNode) ConfigJson.write(Conv2FormerVariants.N.config());
    c2f.put("kernel_size", -3);
    IOException e = assertThrows(IOException.class, () -> ConfigJson.read(Arch.CONV2FORMER, c2f));
    assertTrue(e.getMessage().startsWith("config of Conv2Former: not a valid Conv2FormerConfig"),
        e.getMessage());
    ObjectNode extra = (ObjectNode) ConfigJson.write(Conv2FormerVariants.N.config());
    extra.put("surprise", 1);
    assertThrows(IOException.class, () -> ConfigJson.read(Arch.CONV2FORMER, extra));
  }

  @Test
  void theMetadataFileCarriesTheConfig() throws IOException {
    Variant<?> v = Models.variant("cvt_13_224");
    ExportMetadata m =
        new ExportMetadata(
            "cvt", v.id(), v.config(), 224, 224, v.preprocessing(), 1000, 384, 1, "w.pth",
            List.of());
    Path file = dir.resolve("tfhybrid.json");
    m.write(file);
    assertEquals(v.config(), ExportMetadata.read(file).config());
  }
}
