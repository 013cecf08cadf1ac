package io.tfhybrid.arch.golden;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A golden fixture that is not as its metadata records it: a file missing, unlisted or with
 * another sha256, or a metadata file without the fields the reader needs. The message names the
 * file, what was expected and what was found.
 */
public final class GoldenFixtureException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** {@code what} failed at {@code file}: expected {@code expected}, found {@code found}. */
  public GoldenFixtureException(Path file, String what, String expected, String found) {
    super("golden fixture '" + file + "': " + what + ": expected " + expected + ", found " + found);
    this.file = file;
  }

  /** The file (or case directory) the problem is in. */
  public Path file() {
    return file;
  }
}
