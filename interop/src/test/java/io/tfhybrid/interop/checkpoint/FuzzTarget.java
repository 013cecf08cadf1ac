package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The contract every reader keeps on any bytes: {@link Checkpoints#read} (and then reading every
 * tensor's data, which a lazy tensor reads from the file) either succeeds or throws {@link
 * CheckpointFormatException}, within a watchdog, never another exception, an {@link
 * OutOfMemoryError} or a {@link StackOverflowError}. Shared by the Jazzer fuzz test and the seeded
 * mutation run.
 */
final class FuzzTarget implements AutoCloseable {
  /** Per-case watchdog, seconds ({@code -Dtfhybrid.fuzz.watchdogSeconds}). */
  static final long WATCHDOG_SECONDS = Long.getLong("tfhybrid.fuzz.watchdogSeconds", 20);

  private final Path file;
  private ExecutorService worker = newWorker();

  FuzzTarget(Path dir) {
    this.file = dir.resolve("case.bin");
  }

  /** What a case did: null when it kept the contract, else what broke it. */
  String run(byte[] data) throws IOException, InterruptedException {
    Files.write(file, data);
    Future<?> f =
        worker.submit(
            () -> {
              try {
                StateDict sd = Checkpoints.read(file);
                // Tensors left in the file are read too, and keep the same contract.
                for (HostTensor t : sd.asMap().values()) {
                  try {
                    t.data();
                  } catch (UncheckedIOException e) {
                    if (!(e.getCause() instanceof CheckpointFormatException)) {
                      throw e;
                    }
                  }
                }
              } catch (CheckpointFormatException e) {
                // the contract: our error
              }
              return null;
            });
    try {
      f.get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
      return null;
    } catch (TimeoutException e) {
      f.cancel(true);
      worker.shutdownNow();
      worker = newWorker(); // the stuck thread may never end; a fresh worker for the next case
      return "no result within the " + WATCHDOG_SECONDS + " s watchdog";
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      StackTraceElement[] st = c.getStackTrace();
      return c.getClass().getName()
          + ": "
          + (c.getMessage() == null ? "" : Describe.name(c.getMessage()))
          + (st.length > 0 ? " at " + st[0] : "");
    }
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(null, r, "fuzz-case", 1 << 20);
          t.setDaemon(true);
          return t;
        });
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
