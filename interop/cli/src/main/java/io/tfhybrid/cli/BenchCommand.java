package io.tfhybrid.cli;

import io.tfhybrid.arch.Models;
import io.tfhybrid.interop.TfHybrid;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfhybrid bench}: inference speed and memory of variants on this machine. */
@Command(
    mixinStandardHelpOptions = true,
    name = "bench",
    description =
        "Time forward passes of variants at their default resolution with random weights:"
            + " graph build time, median and best wall time, images/s, peak RSS."
            + " Speed targets live here, never in timed unit tests.")
final class BenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "VARIANT", arity = "1..*",
      description = "Variant ids (see 'tfhybrid list'), or 'all'.")
  List<String> variants;

  @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--iters", defaultValue = "20", description = "Timed passes (default ${DEFAULT-VALUE}).")
  int iters;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed passes first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Override
  public Integer call() {
    if (batch < 1 || iters < 1 || warmup < 0) {
      throw new CliError("bench options", "--batch >= 1, --iters >= 1, --warmup >= 0",
          batch + ", " + iters + ", " + warmup, "tfhybrid bench --help shows the usage");
    }
    List<String> ids = new ArrayList<>();
    for (String id : variants) {
      if (id.equals("all")) {
        ids.addAll(TfHybrid.variantIds());
      } else {
        try {
          ids.add(Models.variant(id).id());
        } catch (IllegalArgumentException e) {
          throw new CliError(e.getMessage(), "tfhybrid list shows every variant id");
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    for (String id : ids) {
      out.println(TfHybrid.benchmark(id, batch, warmup, iters));
      out.flush();
    }
    return 0;
  }
}
