package io.tfhybrid.interop.cli;

/**
 * A mistake on the command line or in its inputs (exit status 2): what failed, what was expected,
 * what was found, and a hint. Printed as one line plus the hint.
 */
final class CliError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String hint;

  CliError(String what, String expected, String found, String hint) {
    super(what + ": expected " + expected + ", found " + found);
    this.hint = hint;
  }

  CliError(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  /** The hint, or null. */
  String hint() {
    return hint;
  }
}
