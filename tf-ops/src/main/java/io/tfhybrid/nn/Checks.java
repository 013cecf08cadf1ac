package io.tfhybrid.nn;

/**
 * Argument and state checks with Guava-style {@code %s} templates (we have no Guava dependency).
 * A caller's mistake is an {@link IllegalArgumentException}; a broken invariant of our own is an
 * {@link IllegalStateException}.
 */
public final class Checks {
  private Checks() {}

  public static void checkArg(boolean ok, String template, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(format(template, args));
    }
  }

  public static void checkState(boolean ok, String template, Object... args) {
    if (!ok) {
      throw new IllegalStateException(format(template, args));
    }
  }

  public static int positive(int value, String name) {
    checkArg(value > 0, "%s must be positive, found %s", name, value);
    return value;
  }

  public static int nonNegative(int value, String name) {
    checkArg(value >= 0, "%s must be >= 0, found %s", name, value);
    return value;
  }

  /** Formats {@code [a, b, c]} the way torch prints sizes, for error messages. */
  public static String shape(long... dims) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(dims[i]);
    }
    return sb.append(']').toString();
  }

  /** Guava's lenient formatter: each {@code %s} takes the next argument; extras are appended. */
  static String format(String template, Object... args) {
    StringBuilder sb = new StringBuilder(template.length() + 16 * args.length);
    int start = 0;
    int i = 0;
    while (i < args.length) {
      int at = template.indexOf("%s", start);
      if (at < 0) {
        break;
      }
      sb.append(template, start, at).append(args[i++]);
      start = at + 2;
    }
    sb.append(template, start, template.length());
    if (i < args.length) {
      sb.append(" [");
      for (; i < args.length; i++) {
        sb.append(args[i]).append(i + 1 < args.length ? ", " : "");
      }
      sb.append(']');
    }
    return sb.toString();
  }
}
