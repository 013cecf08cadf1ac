package io.tfhybrid.interop.cli;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.nn.HostTensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tfhybrid quickstart}: for every registered architecture, its first bundled golden case
 * goes the whole way — PyTorch checkpoint → SavedModel under {@code ./exported/} → reloaded with
 * the C++ loader TF Serving uses → logits compared with the reference PyTorch logits. No network.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "quickstart",
    description =
        "Convert one bundled golden checkpoint per architecture to a SavedModel under ./exported/,"
            + " reload it and check its logits against the PyTorch reference. No network needed.")
final class QuickstartCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Where the golden cases live, relative to the repository root. */
  static final String GOLDEN = "golden-tests/src/test/resources/golden";

  @Option(
      names = "--out",
      defaultValue = "exported",
      paramLabel = "DIR",
      description = "Base directory of the exports (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--golden",
      paramLabel = "DIR",
      description = "Golden cases directory (default: " + GOLDEN + " in the repository).")
  Path golden;

  @Option(
      names = "--arch",
      split = ",",
      paramLabel = "ARCH",
      description = "Only these families (default: every registered one).")
  List<String> archs;

  /** One row of the table. */
  record Row(
      String arch,
      String variant,
      String params,
      String maxError,
      String path,
      String seconds,
      boolean ok,
      String problem) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path root = goldenRoot();
    List<Arch> families = new ArrayList<>();
    for (Variant<?> v : Models.all()) {
      if (!families.contains(v.arch())
          && (archs == null || archs.stream().anyMatch(a -> Arch.of(a) == v.arch()))) {
        families.add(v.arch());
      }
    }
    o.printf(
        "tfhybrid quickstart: %d architectures; golden checkpoints from %s; SavedModels to %s%n",
        families.size(), root, out);
    o.flush();
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    Progress bar = new Progress(err, System.console() != null, "quickstart", families.size());
    for (int i = 0; i < families.size(); i++) {
      Arch arch = families.get(i);
      bar.step(i, arch.displayName());
      rows.add(run(arch, root));
    }
    bar.step(families.size(), "done");

    Table t =
        new Table("arch", "variant (golden case)", "params", "max |Δ| logits", "export", "seconds");
    for (Row r : rows) {
      t.row(r.arch(), r.variant(), r.params(), r.maxError(), r.path(), r.seconds());
    }
    t.print(o);
    List<Row> failed = rows.stream().filter(r -> !r.ok()).toList();
    for (Row r : failed) {
      o.println("FAILED " + r.arch() + ": " + r.problem());
    }
    o.printf(
        "%d of %d models converted, reloaded and verified at 1e-4 · max(1, max |logit|) in"
            + " %.1f s.%n",
        rows.size() - failed.size(), rows.size(), (System.nanoTime() - start) / 1e9);
    if (failed.isEmpty() && !rows.isEmpty()) {
      Row first = rows.get(0);
      o.printf(
          "Next: ./tfhybrid inspect %s   ./tfhybrid predict %s IMAGE.jpg%n",
          first.path(), first.path());
    }
    o.flush();
    return failed.isEmpty() ? 0 : Main.INTERNAL_ERROR;
  }

  private Path goldenRoot() {
    if (golden != null) {
      if (!Files.isDirectory(golden)) {
        throw new CliError(
            "--golden " + golden,
            "a directory of golden cases (<arch>/<case>/)",
            "no such directory",
            null);
      }
      return golden;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(GOLDEN));
    String home = System.getProperty("tfhybrid.home");
    if (home != null) {
      candidates.add(Path.of(home).resolve(GOLDEN));
    }
    candidates.add(Path.of("..").resolve(GOLDEN));
    for (Path c : candidates) {
      if (Files.isDirectory(c)) {
        return c.normalize();
      }
    }
    throw new CliError(
        "cannot find the bundled golden cases",
        "the directory " + GOLDEN + " of the repository",
        "none of " + candidates,
        "run from the repository root, or pass" + " --golden DIR");
  }

  private Row run(Arch arch, Path root) {
    long t0 = System.nanoTime();
    String variant = "-";
    String params = "-";
    String path = "-";
    try {
      GoldenFixture c = GoldenFixture.cases(root, arch).get(0);
      variant = c.name();
      Path weights = c.file("weights.pth");
      Path input = c.file("input.npy");
      Path expected = c.file("logits.npy");
      ModelChoice choice = choose(c);
      StateDict sd = Checkpoints.read(weights);
      Path modelDir = out.resolve(arch.id() + "_" + c.name());
      SavedModelExport.Result r;
      try (Conversions.Loaded loaded = Conversions.buildAndLoad(choice, sd)) {
        params = Conversions.params(loaded.model().root().parameterCount());
        r =
            Conversions.export(
                loaded,
                choice,
                modelDir,
                1L,
                true,
                true,
                weights.toString(),
                (i, n, what) -> {});
      }
      path = r.versionDir().toString();
      HostTensor pixels =
          Conversions.pixelsFromNormalizedNchw(
              NpyReader.readArray(input), choice.preprocessing());
      float[] logits;
      try (SavedModelImport imp = SavedModelImport.open(r.versionDir())) {
        logits =
            imp.run(
                    ServingSignatures.SERVING_DEFAULT,
                    Map.of(ServingSignatures.INPUT_IMAGES, pixels))
                .get(ServingSignatures.OUTPUT_LOGITS)
                .toFloatArray();
      }
      float[] ref = NpyReader.readArray(expected).toFloatArray();
      double err = Conversions.maxAbsDiff(ref, logits);
      double bound = Conversions.bound(ref, 1e-4);
      String secs = String.format("%.1f", (System.nanoTime() - t0) / 1e9);
      String problem =
          err <= bound
              ? null
              : String.format(
                  "max |Δ| %.3e > %.3e: rerun ./tfhybrid verify %s --input %s --expect %s"
                      + " --features %s",
                  err,
                  bound,
                  weights,
                  input,
                  expected,
                  c.dir());
      return new Row(
          arch.displayName(),
          variant,
          params,
          String.format("%.2e %s", err, err <= bound ? "ok" : "FAIL"),
          path,
          secs,
          problem == null,
          problem);
    } catch (Exception | Error e) {
      String secs = String.format("%.1f", (System.nanoTime() - t0) / 1e9);
      String msg =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      return new Row(
          arch.displayName(),
          variant,
          params,
          "FAIL",
          path,
          secs,
          false,
          e.getClass().getSimpleName() + ": " + msg);
    }
  }

  /** The case's config (from its constructor arguments) at its input size. */
  static ModelChoice choose(GoldenFixture c) {
    Variant<?> first = Models.of(c.arch()).get(0);
    Preprocessing p = first.preprocessing().forCrop(c.height(), c.width());
    ModelConfig config = c.config().orElse(null);
    List<String> why = new ArrayList<>();
    if (config == null) {
      ModelChoice detected = ModelDetector.detect(c.name(), c.stateDictShapes(), null);
      config = detected.config();
      why.addAll(detected.reasons());
    } else {
      why.add("golden case '" + c + "' (config.json)");
    }
    return new ModelChoice(
        c.arch(), c.arch().id() + "_" + c.name(), config, c.height(), c.width(), p, why);
  }
}
