package io.tfhybrid.interop.checkpoint;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Short, bounded descriptions for messages (never recurses without limit into file data). */
final class Describe {
  private static final int MAX_STRING = 60;
  private static final int MAX_ITEMS = 6;
  private static final int MAX_DEPTH = 3;

  private Describe() {}

  /** {@code [a, b, c, … (12 more)]}. */
  static String list(Collection<?> items, int max) {
    StringBuilder sb = new StringBuilder("[");
    int i = 0;
    for (Object o : items) {
      if (i == max) {
        sb.append(", … (").append(items.size() - max).append(" more)");
        break;
      }
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(o instanceof String s ? name(s) : o);
      i++;
    }
    return sb.append(']').toString();
  }

  /** {@code ['a', 'b', … (12 more)]}. */
  static String quotedList(Collection<?> items, int max) {
    StringBuilder sb = new StringBuilder("[");
    int i = 0;
    for (Object o : items) {
      if (i == max) {
        sb.append(", … (").append(items.size() - max).append(" more)");
        break;
      }
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('\'').append(o instanceof String s ? name(s) : o).append('\'');
      i++;
    }
    return sb.append(']').toString();
  }

  /** The first {@code n} bytes as hex pairs: {@code 86 04 73 60}. */
  static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, b.length); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", b[i] & 0xff));
    }
    return sb.toString();
  }

  /** Longest name (global, key, entry, path) quoted whole in a message. */
  private static final int MAX_NAME = 200;

  /** {@code name}, cut to 200 characters with the count of the rest. */
  static String name(String name) {
    if (name == null || name.length() <= MAX_NAME) {
      return name;
    }
    return name.substring(0, MAX_NAME) + "… (" + (name.length() - MAX_NAME) + " more characters)";
  }

  /** A Python-like repr of an unpickled value, cut short at depth 3, 6 items, 60 characters. */
  static String value(Object o) {
    StringBuilder sb = new StringBuilder();
    append(sb, o, 0);
    return sb.toString();
  }

  private static void append(StringBuilder sb, Object o, int depth) {
    if (o == null) {
      sb.append("None");
    } else if (o instanceof Boolean b) {
      sb.append(b ? "True" : "False");
    } else if (o instanceof String s) {
      sb.append('\'')
          .append(s.length() > MAX_STRING ? s.substring(0, MAX_STRING) + "…" : s)
          .append('\'');
    } else if (o instanceof byte[] b) {
      sb.append("b<").append(b.length).append(" bytes>");
    } else if (o instanceof Pickled.Tuple t) {
      seq(sb, t.items(), "(", t.size() == 1 ? ",)" : ")", depth);
    } else if (o instanceof List<?> l) {
      seq(sb, l, "[", "]", depth);
    } else if (o instanceof java.util.Set<?> s) {
      seq(sb, s, "{", "}", depth);
    } else if (o instanceof Map<?, ?> m) {
      if (depth >= MAX_DEPTH) {
        sb.append("{…}");
        return;
      }
      sb.append('{');
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (i == MAX_ITEMS) {
          sb.append(", … (").append(m.size() - MAX_ITEMS).append(" more)");
          break;
        }
        if (i++ > 0) {
          sb.append(", ");
        }
        append(sb, e.getKey(), depth + 1);
        sb.append(": ");
        append(sb, e.getValue(), depth + 1);
      }
      sb.append('}');
    } else if (o instanceof Pickled.TensorRef t) {
      sb.append("tensor(")
          .append(t.dtypeName())
          .append(", ")
          .append(io.tfhybrid.nn.Checks.shape(t.size()))
          .append(')');
    } else if (o instanceof Long || o instanceof Double) {
      sb.append(o);
    } else if (o instanceof java.math.BigInteger b) {
      sb.append(
          b.bitLength() > 200
              ? "<int of " + b.bitLength() + " bits>"
              : b.toString());
    } else {
      sb.append('<').append(Pickled.typeName(o)).append('>');
    }
  }

  private static void seq(
      StringBuilder sb, Collection<?> items, String open, String close, int depth) {
    if (depth >= MAX_DEPTH) {
      sb.append(open).append('…').append(close);
      return;
    }
    sb.append(open);
    Iterator<?> it = items.iterator();
    for (int i = 0; it.hasNext(); i++) {
      Object o = it.next();
      if (i == MAX_ITEMS) {
        sb.append(", … (").append(items.size() - MAX_ITEMS).append(" more)");
        break;
      }
      if (i > 0) {
        sb.append(", ");
      }
      append(sb, o, depth + 1);
    }
    sb.append(close);
  }
}
