package io.tfhybrid.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar over the steps of a command ({@code [######----] 3/5 writing variables}).
 * On a terminal it redraws in place; otherwise (logs, tests) it prints one line per step.
 */
final class Progress {
  private static final int WIDTH = 24;
  private final PrintWriter err;
  private final boolean interactive;
  private final String label;
  private final int total;
  private final long start = System.nanoTime();
  private int lastLength;

  Progress(PrintWriter err, boolean interactive, String label, int total) {
    this.err = err;
    this.interactive = interactive;
    this.label = label;
    this.total = total;
  }

  /** Step {@code done} of the total is starting (or finished, when {@code done == total}). */
  void step(int done, String what) {
    int filled = total == 0 ? WIDTH : WIDTH * Math.min(done, total) / total;
    String line =
        String.format(
            "%s [%s%s] %d/%d %s (%.1f s)",
            label, "#".repeat(filled), "-".repeat(WIDTH - filled), done, total, what, seconds());
    if (interactive) {
      err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
      if (done >= total) {
        err.println();
      }
    } else {
      err.println(line);
    }
    err.flush();
  }

  double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }
}
