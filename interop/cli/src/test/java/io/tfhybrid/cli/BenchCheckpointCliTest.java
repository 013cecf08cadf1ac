package io.tfhybrid.cli;

import static io.tfhybrid.cli.HubFolderCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Models;
import io.tfhybrid.cli.HubFolderCliTest.Run;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.ParamSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tfhybrid bench --write-checkpoint}: the seeded random checkpoint of a variant. */
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
}
