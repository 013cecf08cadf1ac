package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.HostTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The tensors of a checkpoint, keyed by their PyTorch state_dict names in file order. Immutable.
 * {@link #notes()} says in words what the reader decided on the way (which wrapper key it used,
 * which unknown globals became inert placeholders, which prefix it stripped, …), so a command line
 * can show the user what happened.
 */
public final class StateDict {
  private final String source;
  private final Map<String, HostTensor> tensors;
  private final List<String> notes;

  private StateDict(String source, LinkedHashMap<String, HostTensor> tensors, List<String> notes) {
    this.source = source;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.notes = List.copyOf(notes);
  }

  /**
   * A state dict with the given tensors (copied, order kept) and notes.
   *
   * @param source the file name the tensors came from, for messages
   */
  public static StateDict of(
      String source, LinkedHashMap<String, HostTensor> tensors, List<String> notes) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(notes, "notes");
    LinkedHashMap<String, HostTensor> copy = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException(
            "state dict of '" + source + "' has a null key or tensor (key " + e.getKey() + ")");
      }
      copy.put(e.getKey(), e.getValue());
    }
    return new StateDict(source, copy, notes);
  }

  /** The file name the tensors came from. */
  public String source() {
    return source;
  }

  /** Human-readable notes on what the reader did, in the order it did it. */
  public List<String> notes() {
    return notes;
  }

  /** All keys in file order. */
  public List<String> keys() {
    return List.copyOf(tensors.keySet());
  }

  /** The tensor under {@code key}; an unknown key is an {@link IllegalArgumentException}. */
  public HostTensor get(String key) {
    HostTensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException(missingKeyMessage(key));
    }
    return t;
  }

  public boolean contains(String key) {
    return tensors.containsKey(key);
  }

  public int size() {
    return tensors.size();
  }

  public boolean isEmpty() {
    return tensors.isEmpty();
  }

  /** (key, tensor) pairs in file order. */
  public List<Map.Entry<String, HostTensor>> entries() {
    List<Map.Entry<String, HostTensor>> out = new ArrayList<>(tensors.size());
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      out.add(Map.entry(e.getKey(), e.getValue()));
    }
    return Collections.unmodifiableList(out);
  }

  /** Key → torch shape, in file order (what {@code diagnose} and the model inference read). */
  public Map<String, long[]> shapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    tensors.forEach((k, t) -> out.put(k, t.shape()));
    return out;
  }

  /** A read-only map view, in file order. */
  public Map<String, HostTensor> asMap() {
    return tensors;
  }

  /** Total bytes of tensor data. */
  public long byteSize() {
    long n = 0;
    for (HostTensor t : tensors.values()) {
      n += t.numel() * t.dtype().byteSize();
    }
    return n;
  }

  /**
   * The same tensors with {@code prefix} removed from every key, when EVERY key starts with it (and
   * is longer than it); otherwise this state dict unchanged. Stripping adds a note.
   */
  public StateDict withPrefixStripped(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || tensors.isEmpty()) {
      return this;
    }
    for (String k : tensors.keySet()) {
      if (!k.startsWith(prefix) || k.length() == prefix.length()) {
        return this;
      }
    }
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
    List<String> n = new ArrayList<>(notes);
    n.add(
        "stripped the prefix '"
            + prefix
            + "' from all "
            + tensors.size()
            + " keys"
            + (prefix.equals("module.")
                ? " (saved from a DataParallel/DistributedDataParallel model)"
                : ""));
    return new StateDict(source, out, n);
  }

  /**
   * The same tensors under new keys. Two keys mapped to the same name, or a null/empty name, is an
   * {@link IllegalArgumentException} naming both keys.
   */
  public StateDict renamed(Function<String, String> rename) {
    Objects.requireNonNull(rename, "rename");
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    int changed = 0;
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      String k = e.getKey();
      String nk = rename.apply(k);
      if (nk == null || nk.isEmpty()) {
        throw new IllegalArgumentException(
            "renaming the state dict of '"
                + source
                + "': key '"
                + k
                + "' was mapped to "
                + (nk == null ? "null" : "an empty name")
                + "; expected a non-empty key");
      }
      String before = origin.putIfAbsent(nk, k);
      if (before != null) {
        throw new IllegalArgumentException(
            "renaming the state dict of '"
                + source
                + "' maps both '"
                + before
                + "' and '"
                + k
                + "' to '"
                + nk
                + "'; expected distinct names");
      }
      if (!nk.equals(k)) {
        changed++;
      }
      out.put(nk, e.getValue());
    }
    if (changed == 0) {
      return this;
    }
    List<String> n = new ArrayList<>(notes);
    n.add("renamed " + changed + " of " + tensors.size() + " keys");
    return new StateDict(source, out, n);
  }

  /** The tensors whose key passes {@code keep}, in order; a note lists what was dropped. */
  public StateDict filtered(Predicate<String> keep) {
    Objects.requireNonNull(keep, "keep");
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    List<String> dropped = new ArrayList<>();
    tensors.forEach(
        (k, v) -> {
          if (keep.test(k)) {
            out.put(k, v);
          } else {
            dropped.add(k);
          }
        });
    if (dropped.isEmpty()) {
      return this;
    }
    List<String> n = new ArrayList<>(notes);
    n.add(
        "dropped "
            + dropped.size()
            + " of "
            + tensors.size()
            + " keys: "
            + Describe.list(dropped, 10));
    return new StateDict(source, out, n);
  }

  @Override
  public String toString() {
    return "StateDict('" + source + "', " + tensors.size() + " tensors)";
  }

  private String missingKeyMessage(String key) {
    StringBuilder sb =
        new StringBuilder("no tensor '")
            .append(key)
            .append("' in the state dict of '")
            .append(source)
            .append("' (")
            .append(tensors.size())
            .append(" keys)");
    List<String> close = closest(key, 3);
    if (!close.isEmpty()) {
      sb.append("; closest keys: ").append(Describe.quotedList(close, 3));
    }
    return sb.toString();
  }

  private List<String> closest(String key, int max) {
    record Scored(String key, int distance) {}
    List<Scored> scored = new ArrayList<>();
    int limit = Math.max(3, key.length() / 4);
    for (String k : tensors.keySet()) {
      int d = editDistance(key, k, limit);
      if (d <= limit) {
        scored.add(new Scored(k, d));
      }
    }
    scored.sort((a, b) -> Integer.compare(a.distance(), b.distance()));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < scored.size() && i < max; i++) {
      out.add(scored.get(i).key());
    }
    return out;
  }

  /** Levenshtein distance, giving up (returning limit + 1) once it must exceed {@code limit}. */
  private static int editDistance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) > limit) {
      return limit + 1;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, cur[j]);
      }
      if (rowMin > limit) {
        return limit + 1;
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
