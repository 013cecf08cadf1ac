package io.tfhybrid.interop.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.nn.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight threads share one loaded model, and one reloaded SavedModel: every output is bit-identical
 * to the single-threaded run of the same input (TF sessions are thread-safe; our wrappers must not
 * share mutable state between runs).
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 6;

  @TempDir static Path tmp;
  static BuiltModel model;
  static SavedModelImport reloaded;

  @BeforeAll
  static void setUp() throws Exception {
    model = TinyModels.loaded(TinyModels.randomStateDict(5));
    SavedModelExport.Result r =
        TinyModels.exporter(model, tmp.resolve("tiny")).build().export();
    reloaded = SavedModelImport.open(r.versionDir());
  }

  @AfterAll
  static void tearDown() throws Exception {
    reloaded.close();
    model.close();
  }

  @Test
  void eightThreadsOnOneLoadedModelMatchTheSingleThreadedOutputsBitForBit() throws Exception {
    assertSameAsSingleThreaded(
        x -> model.run(x, List.of(BuiltModel.LOGITS, "features")).get(BuiltModel.LOGITS));
  }

  @Test
  void eightThreadsOnOneReloadedSavedModelMatchTheSingleThreadedOutputsBitForBit()
      throws Exception {
    assertSameAsSingleThreaded(
        x -> reloaded.run(ServingSignatures.SERVING_DEFAULT, Map.of("images", x)).get("logits"));
  }

  private static void assertSameAsSingleThreaded(Function<HostTensor, HostTensor> run)
      throws Exception {
    List<HostTensor> inputs = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      HostTensor x = TinyModels.pixels(1 + i % 3, 100 + i);
      inputs.add(x);
      expected.add(bits(run.apply(x)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      List<Future<List<int[]>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        HostTensor x = inputs.get(t);
        Callable<List<int[]>> task =
            () -> {
              start.await();
              List<int[]> outs = new ArrayList<>();
              for (int r = 0; r < ROUNDS; r++) {
                outs.add(bits(run.apply(x)));
              }
              return outs;
            };
        futures.add(pool.submit(task));
      }
      for (int t = 0; t < THREADS; t++) {
        List<int[]> outs = futures.get(t).get(5, TimeUnit.MINUTES);
        assertEquals(ROUNDS, outs.size());
        for (int r = 0; r < ROUNDS; r++) {
          assertArrayEquals(expected.get(t), outs.get(r), "thread " + t + ", round " + r);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static int[] bits(HostTensor t) {
    float[] f = t.toFloatArray();
    int[] b = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      b[i] = Float.floatToRawIntBits(f[i]);
    }
    return b;
  }
}
