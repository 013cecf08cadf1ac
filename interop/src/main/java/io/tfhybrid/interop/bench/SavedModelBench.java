package io.tfhybrid.interop.bench;

import io.tfhybrid.arch.Benchmark;
import io.tfhybrid.arch.OpProfile;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.serving.Tensors;
import io.tfhybrid.interop.verify.TensorError;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.RandomWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Speed of exported SavedModels as TF Serving runs them: {@code serving_default} (RGB pixels in,
 * logits out) through the session of a {@code SavedModelBundle}, the C++ loader TF Serving uses,
 * with TensorFlow's default session options. {@link #interleaved} compares two exports (e.g. the
 * landed build's and a new build's, of the same checkpoint) in one process, round-robin, so that
 * machine noise hits both alike.
 */
public final class SavedModelBench {
  private SavedModelBench() {}

  /** Per-pass wall times in ms of one SavedModel, sorted. */
  public record Times(Path dir, double[] ms) {
    public double median() {
      return ms[ms.length / 2];
    }

    public double min() {
      return ms[0];
    }
  }

  /** An interleaved comparison: {@code b}'s time as a fraction of {@code a}'s. */
  public record Comparison(int batch, int rounds, Times a, Times b, double maxAbsLogitDiff,
      double maxAbsLogit) {
    public double medianFraction() {
      return b.median() / a.median();
    }

    public double minFraction() {
      return b.min() / a.min();
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "batch %d, %d rounds: A median %.1f ms min %.1f ms | B median %.1f ms min %.1f ms |"
              + " B/A median %.3f min %.3f | logits max|A-B| %.2e (max|A| %.2f)", batch, rounds,
          a.median(), a.min(), b.median(), b.min(), medianFraction(), minFraction(),
          maxAbsLogitDiff, maxAbsLogit);
    }
  }

  /** One opened SavedModel with its serving_default tensor names and a seeded input. */
  private static final class Served implements AutoCloseable {
    final SavedModelImport imp;
    final Session session;
    final String input;
    final String logits;
    final long height;
    final long width;

    Served(Path dir) throws IOException {
      imp = SavedModelImport.open(dir);
      try {
        var sig = imp.signature(ServingSignatures.SERVING_DEFAULT);
        var in = sig.inputs().get(ServingSignatures.INPUT_IMAGES);
        var out = sig.outputs().get(ServingSignatures.OUTPUT_LOGITS);
        Checks.checkArg(in != null && out != null && in.shape() != null && in.shape().length == 4,
            "SavedModel '%s': expected serving_default with input '%s' [N, H, W, 3] and output"
                + " '%s'", dir, ServingSignatures.INPUT_IMAGES, ServingSignatures.OUTPUT_LOGITS);
        input = in.name();
        logits = out.name();
        height = in.shape()[1];
        width = in.shape()[2];
        Checks.checkArg(height > 0 && width > 0, "SavedModel '%s': input size %sx%s is not static",
            dir, height, width);
        session = imp.bundle().session();
      } catch (RuntimeException e) {
        imp.close();
        throw e;
      }
    }

    Session.Runner runner(Tensor pixels) {
      return session.runner().feed(input, pixels).fetch(logits);
    }

    double timeOnce(Tensor pixels) {
      long t0 = System.nanoTime();
      runner(pixels).run().close();
      return (System.nanoTime() - t0) / 1e6;
    }

    float[] logits(Tensor pixels) {
      try (Result r = runner(pixels).run()) {
        return Tensors.toHost(r.get(0)).toFloatArray();
      }
    }

    @Override
    public void close() {
      imp.close();
    }
  }

  /** RGB pixels 0–255, seeded, {@code [batch, h, w, 3]}. */
  private static TFloat32 pixels(int batch, long h, long w, long seed) {
    HostTensor u = RandomWeights.input(seed, batch, h, w, 3);
    float[] f = u.toFloatArray();
    for (int i = 0; i < f.length; i++) {
      f[i] = Math.round((f[i] + 1) * 127.5f);
    }
    return (TFloat32) Tensors.toTensor(HostTensor.ofFloats(u.shape(), f));
  }

  /**
   * Opens SavedModels {@code a} and {@code b} (two sessions in this process), checks they take the
   * same input size, runs {@code warmup} untimed passes of each, then {@code rounds} rounds of one
   * timed pass of each, alternating which goes first, on the same seeded batch of pixels.
   *
   * @throws IllegalArgumentException when rounds &lt; 1, batch &lt; 1, warmup &lt; 0, or the input
   *     sizes differ
   */
  public static Comparison interleaved(Path a, Path b, int batch, int warmup, int rounds)
      throws IOException {
    Checks.checkArg(batch >= 1 && rounds >= 1 && warmup >= 0,
        "interleaved bench: expected batch >= 1, rounds >= 1, warmup >= 0, found %s, %s, %s",
        batch, rounds, warmup);
    try (Served sa = new Served(a); Served sb = new Served(b)) {
      Checks.checkArg(sa.height == sb.height && sa.width == sb.width,
          "interleaved bench: '%s' takes %sx%s, '%s' takes %sx%s", a, sa.height, sa.width, b,
          sb.height, sb.width);
      try (TFloat32 x = pixels(batch, sa.height, sa.width, 2)) {
        float[] la = sa.logits(x);
        float[] lb = sb.logits(x);
        Checks.checkArg(la.length == lb.length, "interleaved bench: %s logits vs %s", la.length,
            lb.length);
        double diff = TensorError.maxAbsDiff(la, lb);
        double max = Tolerance.maxAbs(la);
        for (int i = 0; i < warmup; i++) {
          sa.timeOnce(x);
          sb.timeOnce(x);
        }
        double[] ta = new double[rounds];
        double[] tb = new double[rounds];
        for (int i = 0; i < rounds; i++) {
          if (i % 2 == 0) {
            ta[i] = sa.timeOnce(x);
            tb[i] = sb.timeOnce(x);
          } else {
            tb[i] = sb.timeOnce(x);
            ta[i] = sa.timeOnce(x);
          }
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        return new Comparison(batch, rounds, new Times(sa.imp.dir(), ta),
            new Times(sb.imp.dir(), tb), diff, max);
      }
    }
  }

  /** One SavedModel alone: the median and best of {@code iters} passes, and this process's peak RSS. */
  public record Single(Times times, int batch, long peakRssMib) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s batch %d: median %.1f ms, min %.1f ms, peak RSS %,d MiB",
          times.dir(), batch, times.median(), times.min(), peakRssMib);
    }
  }

  /** Times {@code iters} passes of one SavedModel after {@code warmup} untimed ones. */
  public static Single single(Path dir, int batch, int warmup, int iters) throws IOException {
    Checks.checkArg(batch >= 1 && iters >= 1 && warmup >= 0,
        "SavedModel bench: expected batch >= 1, iters >= 1, warmup >= 0, found %s, %s, %s", batch,
        iters, warmup);
    try (Served s = new Served(dir); TFloat32 x = pixels(batch, s.height, s.width, 2)) {
      double[] t = Benchmark.timedPasses(warmup, iters, () -> s.runner(x).run().close());
      return new Single(new Times(s.imp.dir(), t), batch, Benchmark.peakRssMib());
    }
  }

  /**
   * {@link OpProfile} of a SavedModel's {@code serving_default} (what TF Serving runs). For a
   * tfhybrid export whose metadata stores the config, norm and activation modules are known by
   * their name scopes ({@link OpProfile#scopes}).
   */
  public static OpProfile.Result profile(Path dir, int batch, int warmup, int timed, int traced,
      double peakGflops) throws IOException {
    try (Served s = new Served(dir); TFloat32 x = pixels(batch, s.height, s.width, 2)) {
      Map<String, OpProfile.Bucket> scopes = s.imp.metadata()
          .filter(m -> m.config() != null)
          .map(m -> OpProfile.scopes(m.config().createModule()))
          .orElse(Map.of());
      return OpProfile.profile(dir.toString(), batch, () -> s.runner(x), scopes, warmup, timed,
          traced, peakGflops);
    }
  }

  /**
   * The memory floor of this process: resident set (VmRSS, MiB) after the TensorFlow runtime has
   * run an empty-ish graph (one constant) in a session with default options. Measure it in a fresh
   * process: anything loaded before counts.
   */
  public static long memoryFloorMib() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      var c = Ops.create(g).constant(1f);
      s.runner().fetch(c).run().close();
      return Benchmark.rssMib();
    }
  }
}
