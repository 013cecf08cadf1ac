package io.tfhybrid.cli;

import io.tfhybrid.arch.Benchmark;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Soak;
import io.tfhybrid.interop.TfHybrid;
import io.tfhybrid.interop.bench.ConvertBenchmark;
import io.tfhybrid.interop.bench.SavedModelBench;
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
            + " Speed targets live here, never in timed unit tests."
            + " --write-checkpoint VARIANT --out FILE.safetensors writes a seeded random"
            + " checkpoint of a variant instead; --convert CHECKPOINT times convert against a raw"
            + " copy of the file.")
final class BenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "VARIANT", arity = "0..*",
      description = "Variant ids (see 'tfhybrid list'), or 'all'.")
  List<String> variants = List.of();

  @Option(names = "--write-checkpoint", paramLabel = "VARIANT",
      description = "Instead of timing: write a seeded random checkpoint of VARIANT (its exact"
          + " state_dict keys and torch shapes, valid BatchNorm statistics and computed buffers)"
          + " to --out as .safetensors. interop/src/main/python/safetensors_to_pth.py turns it"
          + " into a torch.save .pth.")
  String writeCheckpoint;

  @Option(names = "--out", paramLabel = "FILE",
      description = "With --write-checkpoint: the .safetensors file to write.")
  java.nio.file.Path out;

  @Option(names = "--convert", paramLabel = "CHECKPOINT",
      description = "Instead of timing inference: time convert of CHECKPOINT (in a child JVM, to a"
          + " temporary SavedModel that is removed) against a raw read + write + fsync of its"
          + " bytes, stage by stage, with the conversion's peak RSS and the saved_model.pb node"
          + " count.")
  java.nio.file.Path convert;

  @Option(names = "--model", paramLabel = "ID", defaultValue = "auto",
      description = "With --convert: the variant id, or 'auto' (default) to detect it.")
  String model;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "With --convert: where the copy and the SavedModel go (default: the system"
          + " temp directory; use the file system you export to).")
  java.nio.file.Path workDir;

  @Option(names = "--heap", paramLabel = "SIZE",
      description = "With --convert: the child JVM's -Xmx (e.g. 2g; default: this JVM's).")
  String heap;

  @Option(names = "--seed", defaultValue = "0",
      description = "With --write-checkpoint: the random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--iters", defaultValue = "20", description = "Timed passes (default ${DEFAULT-VALUE}).")
  int iters;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed passes first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--soak", paramLabel = "N", defaultValue = "0",
      description = "Soak instead: N inferences of each variant in this process, RSS reported every"
          + " --soak-every of them, outputs checked bit for bit (e.g. --soak 10000).")
  int soak;

  @Option(names = "--soak-every", paramLabel = "K", defaultValue = "1000",
      description = "With --soak: report RSS every K inferences (default ${DEFAULT-VALUE}).")
  int soakEvery;

  @Option(names = "--profile",
      description = "Profile instead: per-op-type time of one forward pass from TensorFlow's step"
          + " stats (conv, depthwise conv, matmul, norms, GELU/softmax, transposes/reshapes, the"
          + " rest), the top op types, the fused/oneDNN op types of the optimised graph and what"
          + " each fused op fuses, and the achieved GFLOP/s against a measured 2048^3 MatMul peak.")
  boolean profile;

  @Option(names = "--traces", paramLabel = "N", defaultValue = "3",
      description = "With --profile: fully traced passes averaged (default ${DEFAULT-VALUE}).")
  int traces;

  @Option(names = "--top", paramLabel = "N", defaultValue = "12",
      description = "With --profile: op types listed (default ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--graph-ops",
      description = "With --profile: list every op type of the optimised (post-grappler) graph"
          + " with its count, not only the fused ones.")
  boolean graphOps;

  @Option(names = "--ab", arity = "2", paramLabel = "SAVEDMODEL",
      description = "Compare two exported SavedModels A and B (e.g. the landed build's and a new"
          + " build's export of the same checkpoint): two sessions in this process, serving_default"
          + " on the same seeded pixels, --rounds rounds of one pass each, alternating order;"
          + " prints median and min of each and B's time as a fraction of A's.")
  List<java.nio.file.Path> ab;

  @Option(names = "--rounds", defaultValue = "15",
      description = "With --ab: interleaved rounds (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--saved-model", paramLabel = "DIR",
      description = "Time (or with --profile, profile) an exported SavedModel's serving_default"
          + " instead of a variant built here; prints this process's peak RSS.")
  java.nio.file.Path savedModel;

  @Option(names = "--memory-floor",
      description = "Print the resident set of this process after TensorFlow ran a one-constant"
          + " graph: the floor (JVM + TF runtime) under any loaded model.")
  boolean memoryFloor;

  @Override
  public Integer call() throws java.io.IOException {
    PrintWriter w = spec.commandLine().getOut();
    if (memoryFloor) {
      w.println("memory floor (JVM + TensorFlow runtime, empty graph): VmRSS "
          + SavedModelBench.memoryFloorMib() + " MiB, VmHWM " + Benchmark.peakRssMib() + " MiB");
      return 0;
    }
    if (ab != null || savedModel != null) {
      if (batch < 1 || iters < 1 || warmup < 0 || rounds < 1 || traces < 1) {
        throw new CliError("bench options",
            "--batch >= 1, --iters >= 1, --warmup >= 0, --rounds >= 1, --traces >= 1",
            batch + ", " + iters + ", " + warmup + ", " + rounds + ", " + traces,
            "tfhybrid bench --help shows the usage");
      }
      if (ab != null) {
        w.println("A = " + ab.get(0) + ", B = " + ab.get(1));
        w.println(SavedModelBench.interleaved(ab.get(0), ab.get(1), batch, warmup, rounds));
      } else if (profile) {
        double peak = TfHybrid.matmulPeakGflops(2048, 5);
        w.print(SavedModelBench.profile(savedModel, batch, warmup, iters, traces, peak)
            .format(top, graphOps));
      } else {
        w.println(SavedModelBench.single(savedModel, batch, warmup, iters));
      }
      w.flush();
      return 0;
    }
    if (writeCheckpoint != null) {
      if (out == null || !variants.isEmpty()) {
        throw new CliError("bench --write-checkpoint", "one --out FILE and no VARIANT arguments",
            (out == null ? "no --out" : "--out " + out)
                + (variants.isEmpty() ? "" : ", variants " + variants),
            "tfhybrid bench --write-checkpoint cvt_13_224 --out cvt13.safetensors --seed 1");
      }
      spec.commandLine().getOut().println(
          TfHybrid.writeRandomCheckpoint(writeCheckpoint, out, seed));
      return 0;
    }
    if (convert != null) {
      if (!variants.isEmpty()) {
        throw new CliError("bench --convert", "no VARIANT arguments", variants.toString(),
            "tfhybrid bench --convert model.pth");
      }
      ConvertBenchmark.Options o = ConvertBenchmark.Options.defaults().withModel(model);
      if (workDir != null) {
        o = o.withWorkDir(workDir);
      }
      if (heap != null) {
        List<String> jvm = new ArrayList<>(o.jvmOptions());
        jvm.removeIf(a -> a.startsWith("-Xmx"));
        jvm.add("-Xmx" + heap);
        o = o.withJvmOptions(jvm);
      }
      spec.commandLine().getOut().println(TfHybrid.benchmarkConvert(convert, o));
      return 0;
    }
    if (variants.isEmpty()) {
      throw new CliError("bench", "at least one VARIANT (or --write-checkpoint, --convert, --ab,"
          + " --saved-model, --memory-floor)",
          "none", "tfhybrid bench --help shows the usage");
    }
    if (traces < 1 || top < 0) {
      throw new CliError("bench options", "--traces >= 1, --top >= 0", traces + ", " + top,
          "tfhybrid bench --help shows the usage");
    }
    if (soak < 0 || soakEvery < 1) {
      throw new CliError("bench options", "--soak >= 0, --soak-every >= 1",
          soak + ", " + soakEvery, "tfhybrid bench --help shows the usage");
    }
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
    double peak = Double.NaN;
    if (profile) {
      peak = TfHybrid.matmulPeakGflops(2048, 5);
      out.printf(java.util.Locale.ROOT, "matmul peak (2048^3 float32 MatMul, TF default session"
          + " options, best of 5): %.1f GFLOP/s%n", peak);
    }
    for (String id : ids) {
      if (profile) {
        out.print(TfHybrid.profile(id, batch, warmup, iters, traces, peak).format(top, graphOps));
      } else if (soak > 0) {
        out.println("soak " + id + ": " + soak + " inferences, batch 1");
        Soak.Result r =
            Soak.run(Models.variant(id), soak, soakEvery, s -> {
              out.println("  " + s);
              out.flush();
            });
        out.println(r);
        if (!r.stable()) {
          return Main.INTERNAL_ERROR;
        }
      } else {
        out.println(TfHybrid.benchmark(id, batch, warmup, iters));
      }
      out.flush();
    }
    return 0;
  }
}
