package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportMetadataTest {
  @TempDir Path dir;

  @Test
  void preprocessingSurvivesTheRoundTrip() throws Exception {
    Preprocessing squash =
        Preprocessing.timm(
            Interpolation.BICUBIC,
            CropMode.SQUASH,
            0.95,
            64,
            96,
            List.of(0.5f, 0.5f, 0.5f),
            List.of(0.5f, 0.5f, 0.5f));
    ExportMetadata m =
        new ExportMetadata("a", "m", null, 64, 96, squash, 7, 16, 123, "w.pth", List.of());
    Path file = dir.resolve("meta/tfhybrid.json");
    m.write(file);
    ExportMetadata back = ExportMetadata.read(file);
    assertEquals(squash, back.preprocessing());
    String json = Files.readString(file);
    for (String field : List.of("\"crop_mode\" : \"SQUASH\"", "\"resize_height\" : 67", "\"resize_width\" : 101")) {
      assertEquals(true, json.contains(field), field + " in " + json);
    }
  }
}
