package io.tfhybrid.arch;

import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Inference speed and memory of one variant on this machine: graph build time, then the median
 * and best wall time of {@code iters} forward passes of a random batch at the variant's default
 * resolution (random weights: speed does not depend on the values). Speed targets live here, never
 * in timed unit tests.
 */
public final class Benchmark {
  private Benchmark() {}

  /** One measurement. Times in milliseconds; peak RSS in MiB (JVM + TensorFlow), or -1. */
  public record Result(String variant, int batch, long height, long width, long parameters,
      double buildMs, double medianMs, double bestMs, double imagesPerSecond, long peakRssMib) {
    @Override
    public String toString() {
      return String.format("%-22s batch %2d  %4dx%-4d %,13d params  build %6.0f ms  median %8.1f ms"
              + "  best %8.1f ms  %7.1f img/s  peak RSS %,6d MiB", variant, batch, height, width,
          parameters, buildMs, medianMs, bestMs, imagesPerSecond, peakRssMib);
    }
  }

  /**
   * Builds {@code variant} at its default resolution with random weights, runs {@code warmup}
   * untimed passes of a random batch, then times {@code iters} passes.
   *
   * @throws IllegalArgumentException when batch or iters is below 1 or warmup below 0
   */
  public static Result run(Variant<?> variant, int batch, int warmup, int iters) {
    io.tfhybrid.nn.Checks.checkArg(batch >= 1 && iters >= 1 && warmup >= 0,
        "benchmark: expected batch >= 1, iters >= 1, warmup >= 0, found %s, %s, %s", batch, iters,
        warmup);
    long t0 = System.nanoTime();
    try (BuiltModel m = BuiltModel.build(variant)) {
      m.emitForwardPass(); // part of the build time
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
      double buildMs = (System.nanoTime() - t0) / 1e6;
      long h = m.height();
      long w = m.width();
      HostTensor input = RandomWeights.input(2, batch, h, w, 3);
      List<String> fetch = List.of(BuiltModel.LOGITS);
      double[] ms = timedPasses(warmup, iters, () -> m.run(input, fetch));
      double median = ms[iters / 2];
      return new Result(variant.id(), batch, h, w, m.root().parameterCount(), buildMs, median, ms[0],
          batch * 1000.0 / median, peakRssMib());
    }
  }

  /**
   * Runs {@code pass} {@code warmup} times untimed, then {@code iters} times timed: the wall times
   * in milliseconds, sorted (median at {@code [iters / 2]}, best at {@code [0]}).
   */
  public static double[] timedPasses(int warmup, int iters, Runnable pass) {
    for (int i = 0; i < warmup; i++) {
      pass.run();
    }
    double[] ms = new double[iters];
    for (int i = 0; i < iters; i++) {
      long s = System.nanoTime();
      pass.run();
      ms[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }

  /** VmHWM (peak resident set) of this process, in MiB; -1 off Linux. */
  public static long peakRssMib() {
    return procStatusMib("VmHWM:");
  }

  /** VmRSS (resident set now) of this process, in MiB; -1 off Linux. */
  public static long rssMib() {
    return procStatusMib("VmRSS:");
  }

  /** A kB field of /proc/self/status ({@code VmHWM:}, {@code VmRSS:}) in MiB; -1 off Linux. */
  static long procStatusMib(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
