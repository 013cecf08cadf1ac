package io.tfhybrid.interop.bench;

import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.interop.checkpoint.SafetensorsWriter;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.RandomWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded random checkpoint of a registered variant, for benchmarks and tests that need a
 * full-size file without downloading one: every state_dict key the variant declares, in its
 * declaration order, in torch shape and layout ({@link RandomWeights}: N(0, 1/fan_in)-ish
 * weights, norm gammas around 1, positive running variances, zero {@code num_batches_tracked},
 * computed buffers such as relative-position indices at their exact values), written as {@code
 * .safetensors} one tensor at a time (the heap holds one tensor, not the file). The same variant
 * and seed give the same bytes. {@code interop/src/main/python/safetensors_to_pth.py} turns the file
 * into the {@code torch.save} {@code .pth} of the official releases.
 */
public final class RandomCheckpoint {
  private RandomCheckpoint() {}

  /** What was written: the variant, the file, its tensor count, parameter count and size. */
  public record Result(String variant, Path file, int tensors, long parameters, long bytes) {
    @Override
    public String toString() {
      return String.format("%s: %,d tensors, %,d parameters, %,d bytes → %s", variant, tensors,
          parameters, bytes, file);
    }
  }

  /** Writes the random checkpoint of {@code variant} with {@code seed} to {@code file}. */
  public static Result write(Variant<?> variant, Path file, long seed) throws IOException {
    ClassifierModel root = variant.config().createModule();
    List<ParamSpec> specs = root.stateDictSpec().stream().filter(ParamSpec::inStateDict).toList();
    List<SafetensorsWriter.Entry> entries =
        specs.stream().map(s -> new SafetensorsWriter.Entry(s.key(), s.dtype(), s.torchShape()))
            .toList();
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] next = {0};
    long bytes = SafetensorsWriter.write(file, entries,
        e -> RandomWeights.torchTensor(specs.get(next[0]++), rnd));
    return new Result(variant.id(), file, specs.size(), root.parameterCount(), bytes);
  }
}
