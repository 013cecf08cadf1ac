package io.tfhybrid.arch;

import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A soak benchmark: many inferences of one variant (random weights, one fixed input) in one
 * process, with the resident set size sampled as it goes, so that a leak (native tensors never
 * closed, graphs growing per run) shows as a rising RSS. The outputs must stay bit-identical to the
 * first run. Run it as {@code tfhybrid bench --soak 10000 VARIANT}; it is a benchmark, never a
 * timed unit test.
 */
public final class Soak {
  private Soak() {}

  /** RSS (MiB) after {@code inferences} runs, and the mean time of the runs since the last one. */
  public record Sample(int inferences, long rssMib, double msPerInference) {
    @Override
    public String toString() {
      return String.format(
          "%,8d inferences  RSS %,6d MiB  %8.2f ms/inference", inferences, rssMib, msPerInference);
    }
  }

  /**
   * What a soak saw: the samples, and whether every output equalled the first bit for bit.
   *
   * @param rssGrowthMib RSS of the last sample minus that of the first
   */
  public record Result(String variant, int inferences, List<Sample> samples, boolean stable) {
    public Result {
      samples = List.copyOf(samples);
    }

    public long rssGrowthMib() {
      return samples.isEmpty()
          ? 0
          : samples.get(samples.size() - 1).rssMib() - samples.get(0).rssMib();
    }

    @Override
    public String toString() {
      return String.format(
          "%s: %,d inferences, RSS %s MiB from the first sample to the last, outputs %s",
          variant,
          inferences,
          (rssGrowthMib() >= 0 ? "+" : "") + rssGrowthMib(),
          stable ? "bit-identical throughout" : "CHANGED (not deterministic)");
    }
  }

  /**
   * Runs {@code inferences} forward passes (batch 1) of {@code variant}, reporting a {@link Sample}
   * to {@code progress} every {@code every} passes.
   */
  public static Result run(
      Variant<?> variant, int inferences, int every, Consumer<Sample> progress) {
    if (inferences < 1 || every < 1) {
      throw new IllegalArgumentException(
          "soak needs inferences >= 1 and every >= 1, found " + inferences + " and " + every);
    }
    try (BuiltModel m = BuiltModel.build(variant)) {
      m.weights().assign(m.session(), RandomWeights.tfLayout(m.root().variableSpec(), 1));
      long h = m.height();
      long w = m.width();
      HostTensor input = RandomWeights.input(3, 1, h, w, 3);
      List<String> fetch = List.of(BuiltModel.LOGITS);
      float[] first = m.run(input, fetch).get(BuiltModel.LOGITS).toFloatArray();
      boolean stable = true;
      List<Sample> samples = new ArrayList<>();
      long windowStart = System.nanoTime();
      for (int i = 1; i <= inferences; i++) {
        float[] y = m.run(input, fetch).get(BuiltModel.LOGITS).toFloatArray();
        stable &= Arrays.equals(first, y);
        if (i % every == 0 || i == inferences) {
          int window = i % every == 0 ? every : i % every;
          Sample s =
              new Sample(i, rssMib(), (System.nanoTime() - windowStart) / 1e6 / window);
          samples.add(s);
          progress.accept(s);
          windowStart = System.nanoTime();
        }
      }
      return new Result(variant.id(), inferences, samples, stable);
    }
  }

  /** VmRSS (current resident set) of this process, in MiB; -1 off Linux. */
  static long rssMib() {
    return Benchmark.procStatusMib("VmRSS:");
  }
}
