package io.tfhybrid.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.interop.bench.RandomCheckpoint;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.load.LoadReport;
import io.tfhybrid.interop.serving.ServingSignatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TfHybrid#convert} with a {@link ConvertListener}: every stage in order, what was read
 * (as the reader sees the file), the chosen model and the load report between them, and a {@link
 * Conversion} that states the model, its parameter count and the version written.
 */
class ConvertListenerTest {
  @TempDir Path tmp;

  @Test
  void tellsEachStepInOrderAndReturnsWhatTheSummaryNeeds() throws IOException {
    Path ckpt = tmp.resolve("contnet_ti.safetensors");
    RandomCheckpoint.Result written = TfHybrid.writeRandomCheckpoint("contnet_ti_224", ckpt, 7);
    StateDict sd = Checkpoints.read(ckpt);
    List<String> events = new ArrayList<>();
    List<ConvertListener.Checkpoint> reads = new ArrayList<>();
    Conversion c =
        TfHybrid.convert(
            ckpt,
            tmp.resolve("models/m"),
            LoadOptions.defaults(),
            ExportOptions.defaults().withWarmup(true),
            new ConvertListener() {
              @Override
              public void stage(ConvertStage stage) {
                events.add(stage.name());
              }

              @Override
              public void read(ConvertListener.Checkpoint checkpoint) {
                events.add("read");
                reads.add(checkpoint);
              }

              @Override
              public void chosen(ModelChoice choice) {
                events.add("chosen " + choice.name());
              }

              @Override
              public void loaded(LoadReport report) {
                events.add("loaded " + report.tensorsLoaded());
              }
            });
    assertEquals(
        List.of(
            "READ",
            "read",
            "CHOOSE",
            "chosen contnet_ti_224",
            "CHECK",
            "BUILD",
            "LOAD",
            "loaded " + written.tensors(),
            "SIGNATURES",
            "SAVE",
            "WARMUP",
            "METADATA",
            "MOVE"),
        events);
    assertEquals(
        List.of(new ConvertListener.Checkpoint(sd.size(), sd.byteSize(), sd.notes())), reads);
    assertEquals(written.tensors(), sd.size());
    assertEquals("contnet_ti_224", c.choice().name());
    assertEquals(written.parameters(), c.parameters());
    assertEquals(1, c.export().version());
    assertEquals(tmp.resolve("models/m/1"), c.export().versionDir());
    assertTrue(Files.isRegularFile(c.export().versionDir().resolve("saved_model.pb")));
    assertTrue(
        Files.isRegularFile(c.export().versionDir().resolve(ServingSignatures.METADATA_FILE)));
  }
}
