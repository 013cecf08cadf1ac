package io.tfhybrid.cli;

import io.tfhybrid.interop.TfHybridException;

/**
 * A mistake on the command line itself (exit status 2): what failed, what was expected, what was
 * found, and a hint. Mistakes in what the library is given are the library's {@link
 * TfHybridException}, printed the same way.
 */
final class CliError extends TfHybridException {
  private static final long serialVersionUID = 1L;

  CliError(String what, String expected, String found, String hint) {
    super(what, expected, found, hint);
  }

  CliError(String message, String hint) {
    super(message, hint);
  }
}
