package io.tfhybrid.arch;

import java.util.Objects;

/**
 * One decision of a model detection and its evidence, as a value: what kind of decision it is, the
 * hyper-parameter (or aspect of the model) it decides, and the line a person reads. Callers select
 * reasons by {@link #kind()} and {@link #subject()}, never by the wording of {@link #text()}.
 *
 * @param kind how the value was decided
 * @param subject the hyper-parameter or aspect decided, e.g. {@code "pre_norm"}, {@code
 *     "num_classes"}, {@code "mlp_activation"}, {@code "input_size"}, {@code "variant"}
 * @param text the decision and its evidence for people, e.g. {@code "kernel_size=7:
 *     'stages.0.0.attn.att.2.weight' is [12, 1, 7, 7]"}
 */
public record Reason(Kind kind, String subject, String text) {

  /** How a value was decided. */
  public enum Kind {
    /** Every key and torch shape matches a registered variant. */
    MATCHED,
    /** Read off the checkpoint's keys and torch shapes (the evidence names them). */
    READ,
    /** Not stored in a checkpoint: the official value is taken. */
    ASSUMED,
    /** Stated by the caller (an option), not by the checkpoint. */
    STATED,
    /** Something the caller should know about the choice (e.g. other variants that also fit). */
    NOTE
  }

  /** Subject of the reason that names the model chosen (variant or detected configuration). */
  public static final String MODEL = "model";

  /** Subject of the reason about the input size the model is built at. */
  public static final String INPUT_SIZE = "input_size";

  /** Subject of the reason about the classifier width. */
  public static final String NUM_CLASSES = "num_classes";

  /** Subject of the reason about the evaluation transform. */
  public static final String TRANSFORM = "transform";

  /** All three fields are required. */
  public Reason {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(text, "text");
  }

  /** A value read off the keys and shapes. */
  public static Reason read(String subject, String text) {
    return new Reason(Kind.READ, subject, text);
  }

  /** A value no checkpoint stores: the official one. */
  public static Reason assumed(String subject, String text) {
    return new Reason(Kind.ASSUMED, subject, text);
  }

  /** A value the caller stated. */
  public static Reason stated(String subject, String text) {
    return new Reason(Kind.STATED, subject, text);
  }

  /** A registered variant that matches. */
  public static Reason matched(String subject, String text) {
    return new Reason(Kind.MATCHED, subject, text);
  }

  /** A note on the choice. */
  public static Reason note(String subject, String text) {
    return new Reason(Kind.NOTE, subject, text);
  }

  /** Whether this reason decides {@code subject}. */
  public boolean isAbout(String subject) {
    return this.subject.equals(subject);
  }

  @Override
  public String toString() {
    return text;
  }
}
