package io.tfhybrid.cli;

import static io.tfhybrid.cli.HubFolderCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Models;
import io.tfhybrid.cli.HubFolderCliTest.Run;
import io.tfhybrid.interop.ConvertStage;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.bench.ConvertBenchmark;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.ParamSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfhybrid bench --write-checkpoint}: the seeded random checkpoint of a variant; {@code
 * tfhybrid bench --convert}: convert of it timed against a raw copy, in a child JVM.
 */
class BenchCheckpointCliTest {
  @TempDir Path tmp;

  @Test
  void writesTheVariantsStateDictAsSafetensors() throws Exception {
    Path out = tmp.resolve("t.safetensors");
    Run r = run("bench", "--write-checkpoint", "transcnn_tiny_224", "--out", out.toString(),
        "--seed", "7");
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().startsWith("transcnn_tiny_224: "), r.out());
    assertTrue(r.out().contains(String.format("%,d bytes", Files.size(out))), r.out());
    StateDict sd = Checkpoints.read(out);
    assertEquals(Models.variant("transcnn_tiny_224").config().createModule().stateDictSpec()
        .stream().filter(ParamSpec::inStateDict).map(ParamSpec::key).toList(), sd.keys());
  }

  @Test
  void needsOutAndNoVariantArguments() {
    Run noOut = run("bench", "--write-checkpoint", "transcnn_tiny_224");
    assertEquals(2, noOut.status(), noOut.toString());
    assertTrue(noOut.err().contains("expected one --out FILE and no VARIANT arguments"),
        noOut.err());
    Run unknown = run("bench", "--write-checkpoint", "transcnn_huge_224", "--out",
        tmp.resolve("x.safetensors").toString());
    assertEquals(2, unknown.status(), unknown.toString());
    assertTrue(unknown.err().contains("unknown variant 'transcnn_huge_224'"), unknown.err());
    Run nothing = run("bench");
    assertEquals(2, nothing.status(), nothing.toString());
  }

  @Test
  void convertIsTimedStageByStageAgainstARawCopy() throws Exception {
    Path ckpt = tmp.resolve("contnet_ti.safetensors");
    assertEquals(0, run("bench", "--write-checkpoint", "contnet_ti_224", "--out", ckpt.toString())
        .status());
    Path work = Files.createDirectories(tmp.resolve("work"));
    ConvertBenchmark.Result r = TfHybrid.benchmarkConvert(ckpt,
        ConvertBenchmark.Options.defaults().withWorkDir(work).withJvmOptions(List.of("-Xmx1g")));
    System.out.println(r);
    assertEquals("contnet_ti_224", r.model());
    assertEquals(Files.size(ckpt), r.fileBytes());
    List<String> stages = new ArrayList<>();
    for (ConvertStage s : ConvertStage.values()) {
      stages.add(s.name().toLowerCase(Locale.ROOT));
    }
    stages.add("exit");
    assertEquals(stages, r.stages().stream().map(ConvertBenchmark.Stage::name).toList());
    double sum = r.startupSeconds();
    for (ConvertBenchmark.Stage s : r.stages()) {
      assertTrue(s.seconds() >= 0, s.toString());
      sum += s.seconds();
    }
    assertEquals(r.convertSeconds(), sum, 1e-3); // the stages tile the child's wall time
    assertTrue(r.copySeconds() > 0 && r.copyAgainSeconds() > 0, r.toString());
    // The child's own peak: at least the file it held, far below this test JVM's.
    assertTrue(r.peakRssBytes() > r.fileBytes(), r.toString());
    assertTrue(r.savedModelPbNodes() > 500 && r.exportBytes() > r.fileBytes(), r.toString());
    assertEquals(List.of("-Xmx1g"), r.jvmOptions());
    try (var left = Files.list(work)) {
      assertEquals(List.of(), left.toList()); // copy and SavedModel removed
    }
    Run cli = run("bench", "--convert", ckpt.toString(), "--work-dir", work.toString(),
        "--heap", "1g");
    assertEquals(0, cli.status(), cli.toString());
    assertTrue(cli.out().contains("raw read+write+fsync") && cli.out().contains("peak RSS")
        && cli.out().contains("-Xmx1g"), cli.out());
    Run bad = run("bench", "--convert", tmp.resolve("missing.pth").toString());
    assertEquals(2, bad.status(), bad.toString());
    assertTrue(bad.err().contains("no such file"), bad.err());
  }
}
