package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.interop.checkpoint.Pickled.TensorRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the state dict inside an unpickled checkpoint: the top-level dict itself, or one entry of a
 * wrapper dict (training scripts save {@code {'epoch': …, 'state_dict': …, 'optimizer': …}}), one
 * level of nesting deep. Nothing is read from storages here.
 */
final class StateDictFinder {
  /** Keys that hold the weights in common wrapper dicts, in the order we try them. */
  static final List<String> KEYS =
      List.of("state_dict", "model", "model_state_dict", "module", "net", "network");

  /** Keys that hold EMA weights (timm's saver, ModelEma), tried when EMA is asked for. */
  static final List<String> EMA_KEYS = List.of("state_dict_ema", "model_ema");

  record Found(LinkedHashMap<String, TensorRef> tensors, List<String> notes) {}

  private StateDictFinder() {}

  static Found find(Path file, Object root, ReadOptions options) throws CheckpointFormatException {
    List<String> notes = new ArrayList<>();
    if (root instanceof TensorRef t) {
      String stem = Checkpoints.stem(file);
      LinkedHashMap<String, TensorRef> one = new LinkedHashMap<>();
      one.put(stem, t);
      notes.add(
          "the file holds a single tensor, not a dict; it is returned under the key '"
              + stem
              + "'");
      return new Found(one, notes);
    }
    if (!(root instanceof Map<?, ?> top)) {
      throw new CheckpointFormatException(
          file,
          -1,
          "expected a dict of tensors (a state dict) or a dict that holds one, found "
              + whatIs(root));
    }
    String topKeys = keyList(top);

    if (options.stateKey() != null) {
      String k = options.stateKey();
      if (!top.containsKey(k)) {
        throw new CheckpointFormatException(
            file,
            -1,
            "no key '"
                + k
                + "' (asked for with --state-key) in the top-level dict; its keys are "
                + topKeys);
      }
      Object v = top.get(k);
      String why = notAStateDict(v);
      if (why != null) {
        throw new CheckpointFormatException(
            file, -1, "'" + k + "' (asked for with --state-key) is not a state dict: " + why);
      }
      notes.add("used '" + k + "' (as asked) of a wrapper dict with keys " + topKeys);
      return new Found(tensors(v), notes);
    }

    if (!options.ema() && notAStateDict(top) == null) {
      return new Found(tensors(top), notes);
    }

    List<String> candidates = options.ema() ? EMA_KEYS : KEYS;
    List<String> reasons = new ArrayList<>();
    for (String key : candidates) {
      if (!top.containsKey(key)) {
        continue;
      }
      Object v = top.get(key);
      String why = notAStateDict(v);
      if (why == null) {
        notes.add(
            "used '"
                + key
                + "'"
                + (options.ema() ? " (EMA weights, as asked)" : "")
                + " of a wrapper dict with keys "
                + topKeys);
        addEmaHint(top, options, notes);
        return new Found(tensors(v), notes);
      }
      if (v instanceof Map<?, ?> inner) {
        for (String key2 : concat(candidates, KEYS)) {
          if (inner.containsKey(key2) && notAStateDict(inner.get(key2)) == null) {
            notes.add(
                "used '"
                    + key
                    + "' → '"
                    + key2
                    + "'"
                    + (options.ema() ? " (EMA weights, as asked)" : "")
                    + " of a wrapper dict with keys "
                    + topKeys
                    + " (the inner dict has keys "
                    + keyList(inner)
                    + ")");
            addEmaHint(top, options, notes);
            return new Found(tensors(inner.get(key2)), notes);
          }
        }
      }
      reasons.add("'" + key + "' " + why);
    }

    StringBuilder sb = new StringBuilder();
    if (options.ema()) {
      sb.append("asked for EMA weights, but ");
      if (reasons.isEmpty()) {
        sb.append("the top-level dict has none of ").append(Describe.quotedList(EMA_KEYS, 9));
      } else {
        sb.append("none of ")
            .append(Describe.quotedList(EMA_KEYS, 9))
            .append(" holds a state dict");
      }
      sb.append("; its keys are ").append(topKeys);
    } else {
      sb.append("found no state dict: the top-level dict (keys ")
          .append(topKeys)
          .append(") is not a dict of tensors (")
          .append(notAStateDict(top))
          .append("), and none of ")
          .append(Describe.quotedList(KEYS, 9))
          .append(" holds one");
    }
    for (String r : reasons) {
      sb.append("; ").append(r);
    }
    List<String> tensorDicts = new ArrayList<>();
    for (Map.Entry<?, ?> e : top.entrySet()) {
      if (notAStateDict(e.getValue()) == null) {
        tensorDicts.add(String.valueOf(e.getKey()));
      }
    }
    sb.append(". Hint: pick the entry with --state-key <key> (ReadOptions.withStateKey)");
    if (!tensorDicts.isEmpty()) {
      sb.append("; these keys hold dicts of tensors: ")
          .append(Describe.quotedList(tensorDicts, 10));
    }
    throw new CheckpointFormatException(file, -1, sb.toString());
  }

  private static void addEmaHint(Map<?, ?> top, ReadOptions options, List<String> notes) {
    if (options.ema()) {
      return;
    }
    for (String k : EMA_KEYS) {
      if (top.containsKey(k) && notAStateDict(top.get(k)) == null) {
        notes.add(
            "the file also holds EMA weights under '"
                + k
                + "'; ReadOptions.withEma() (--ema) reads those instead");
        return;
      }
    }
  }

  /** Null when {@code v} is a non-empty dict from strings to tensors, else why not. */
  static String notAStateDict(Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      return "holds " + whatIs(v) + ", not a dict of tensors";
    }
    if (m.isEmpty()) {
      return "is an empty dict";
    }
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String) || !(e.getValue() instanceof TensorRef)) {
        count++;
        if (bad.size() < 5) {
          bad.add(Describe.value(e.getKey()) + " (" + whatIs(e.getValue()) + ")");
        }
      }
    }
    if (count == 0) {
      return null;
    }
    return "is a dict with "
        + count
        + " of "
        + m.size()
        + " entries that are not string → tensor: "
        + String.join(", ", bad)
        + (count > bad.size() ? ", …" : "");
  }

  private static String whatIs(Object v) {
    if (v instanceof Unpickler.Placeholder p) {
      String hint =
          p.module().startsWith("torch.nn")
                  || p.module().startsWith("timm")
                  || p.module().startsWith("torchvision")
              ? " (a whole pickled nn.Module? re-save it with torch.save(model.state_dict(), path))"
              : p.qualifiedName().startsWith("numpy") ? " (a numpy object)" : "";
      return "an object of '" + p.qualifiedName() + "'" + hint;
    }
    if (v instanceof Map<?, ?> m) {
      return "a dict with keys " + keyList(m);
    }
    String type = Pickled.typeName(v);
    return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type + " " + Describe.value(v);
  }

  static String keyList(Map<?, ?> m) {
    List<String> keys = new ArrayList<>();
    for (Object k : m.keySet()) {
      keys.add(k instanceof String s ? s : Describe.value(k));
    }
    return Describe.list(keys, 20);
  }

  private static LinkedHashMap<String, TensorRef> tensors(Object v) {
    LinkedHashMap<String, TensorRef> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
      out.put((String) e.getKey(), (TensorRef) e.getValue());
    }
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    for (String s : b) {
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }
}
