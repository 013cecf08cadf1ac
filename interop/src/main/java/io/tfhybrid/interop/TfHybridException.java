package io.tfhybrid.interop;

/**
 * A mistake in what a library call was given (an unknown model id, an option that does not apply
 * to the model, a checkpoint no family recognises, an input of the wrong shape): what failed, what
 * was expected, what was found, and a hint on what to do. The command line prints the message as
 * one line and the hint on a {@code hint:} line, with exit status 2.
 */
public class TfHybridException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String hint;

  /**
   * A message of the form {@code "<what>: expected <expected>, found <found>"}.
   *
   * @param hint what to do about it, or null
   */
  public TfHybridException(String what, String expected, String found, String hint) {
    this(what + ": expected " + expected + ", found " + found, hint);
  }

  /**
   * @param message the whole message
   * @param hint what to do about it, or null
   */
  public TfHybridException(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  /** What to do about the mistake, or null when there is nothing to add to the message. */
  public String hint() {
    return hint;
  }
}
