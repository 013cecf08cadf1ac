package io.tfhybrid.cli;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.interop.ExportOptions;
import io.tfhybrid.interop.InputLayout;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.LoadedModel;
import io.tfhybrid.interop.ServingModel;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.detect.ModelDetector;
import io.tfhybrid.interop.serving.SavedModelExport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.interop.verify.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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

  @Option(
      names = "--out",
      defaultValue = "exported",
      paramLabel = "DIR",
      description = "Base directory of the exports (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--golden",
      paramLabel = "DIR",
      description =
          "Golden cases directory, <arch>/<case>/ (default: the demo cases bundled in"
              + " tfhybrid-cli, one per family).")
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
    Path scratch = Files.createTempDirectory("tfhybrid-quickstart");
    try {
      return call(o, err, goldenRoot(scratch));
    } finally {
      try (Stream<Path> files = Files.walk(scratch)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private int call(PrintWriter o, PrintWriter err, Path root) {
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
        "%d of %d models converted, reloaded and verified at %s in %.1f s.%n",
        rows.size() - failed.size(),
        rows.size(),
        Tolerance.DEFAULT.describe().replace("reference", "logit"),
        (System.nanoTime() - start) / 1e9);
    if (failed.isEmpty() && !rows.isEmpty()) {
      Row first = rows.get(0);
      o.printf(
          "Next: ./tfhybrid inspect %s   ./tfhybrid predict %s IMAGE.jpg%n",
          first.path(), first.path());
    }
    o.flush();
    return failed.isEmpty() ? 0 : Main.INTERNAL_ERROR;
  }

  /** Where the demo cases are packaged in this artifact (one golden case per family). */
  static final String DEMO_RESOURCE = "/io/tfhybrid/cli/quickstart";

  /**
   * The golden cases to run: {@code --golden DIR}, or the demo cases packaged in this artifact
   * (read in place from a classes directory, copied out of a jar into {@code scratch}).
   */
  private Path goldenRoot(Path scratch) throws IOException {
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
    URL url = QuickstartCommand.class.getResource(DEMO_RESOURCE);
    if (url == null) {
      throw new CliError(
          "cannot find the bundled demo checkpoints",
          "the resource " + DEMO_RESOURCE + " of tfhybrid-cli",
          "none on the class path",
          "rebuild with mvn install, or pass --golden DIR");
    }
    return demoRoot(url, scratch);
  }

  /**
   * The demo cases at {@code url}: the directory itself for a {@code file:} URL (a classes
   * directory), otherwise (a jar) a copy of the tree in {@code scratch}, so the checkpoint readers
   * get plain files.
   */
  static Path demoRoot(URL url, Path scratch) throws IOException {
    try {
      URI uri = url.toURI();
      if (uri.getScheme().equals("file")) {
        return Path.of(uri);
      }
      try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
        Path src = jar.getPath(DEMO_RESOURCE);
        try (Stream<Path> files = Files.walk(src)) {
          for (Path p : files.toList()) {
            Path dst = scratch.resolve(src.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(dst);
            } else {
              Files.copy(p, dst);
            }
          }
        }
      }
      return scratch;
    } catch (URISyntaxException e) {
      throw new IOException("bad resource URL " + url, e);
    }
  }

  private Row run(Arch arch, Path root) {
    long t0 = System.nanoTime();
    String variant = "-";
    String params = "-";
    String path = "-";
    try {
      List<GoldenFixture> cases = GoldenFixture.cases(root, arch);
      if (cases.isEmpty()) {
        throw new CliError(
            "no golden case for " + arch.displayName(),
            "a case under " + root.resolve(arch.id()),
            "none",
            null);
      }
      GoldenFixture c = cases.get(0);
      variant = c.name();
      // The fixture reader hands a file out only after its sha256 matched config.json's.
      Path weights = c.file("weights.pth");
      Path input = c.file("input.npy");
      Path expected = c.file("logits.npy");
      ModelChoice choice = choose(c);
      StateDict sd = TfHybrid.read(weights, LoadOptions.defaults());
      Path modelDir = out.resolve(arch.id() + "_" + c.name());
      SavedModelExport.Result r;
      try (LoadedModel loaded = TfHybrid.load(choice, sd, LoadOptions.defaults())) {
        params = Format.params(loaded.parameterCount());
        r = loaded.export(modelDir, ExportOptions.defaults().withVersion(1L).withOverwrite(true));
      }
      path = r.versionDir().toString();
      Verification v;
      try (ServingModel reloaded = TfHybrid.openSavedModel(r.versionDir())) {
        v =
            reloaded.verifyNormalized(
                ServingSignatures.SERVING_DEFAULT,
                InputLayout.NCHW.toNhwc(NpyReader.readArray(input), "input.npy"),
                NpyReader.readArray(expected),
                Tolerance.DEFAULT);
      }
      double err = v.maxAbsDiff();
      double bound = v.tensors().get(0).bound();
      String secs = String.format("%.1f", (System.nanoTime() - t0) / 1e9);
      String problem =
          v.ok()
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
          String.format("%.2e %s", err, v.ok() ? "ok" : "FAIL"),
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
    List<Reason> why = new ArrayList<>();
    if (config == null) {
      ModelChoice detected = ModelDetector.detect(c.name(), c.stateDictShapes(), null);
      config = detected.config();
      why.addAll(detected.reasons());
    } else {
      why.add(Reason.stated(Reason.MODEL, "golden case '" + c + "' (config.json)"));
    }
    return new ModelChoice(
        c.arch(), c.arch().id() + "_" + c.name(), config, c.height(), c.width(), p, why);
  }
}
