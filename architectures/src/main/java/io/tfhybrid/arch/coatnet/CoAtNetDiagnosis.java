package io.tfhybrid.arch.coatnet;

import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hints for a checkpoint that does not load into a CoAtNet: which build size its relative-position
 * tables belong to, which network (and registered variant) its keys and shapes describe, and which
 * class count its classifier has. Works on keys and torch shapes only.
 */
final class CoAtNetDiagnosis {
  private CoAtNetDiagnosis() {}

  private static final Pattern TABLE =
      Pattern.compile("s([1-4])\\.(\\d+)\\.attn\\.1\\.fn\\.relative_bias_table");

  /**
   * Largest relative index (entries) we compute while checking whether a checkpoint is a complete
   * network; bigger grids are only described, not rebuilt.
   */
  private static final long MAX_INDEX_ENTRIES = 1L << 22;

  /** One table's verdict: the build size it fits, or 0 when its row count is no (2h−1)². */
  record Table(String key, long[] shape, int stage, int side, int imageSize) {}

  /** Every relative-position bias table of the checkpoint, in key order, with its verdict. */
  static List<Table> tables(Map<String, long[]> shapes) {
    List<Table> tables = new ArrayList<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      Matcher m = TABLE.matcher(e.getKey());
      if (m.matches()) {
        tables.add(table(e.getKey(), e.getValue(), Integer.parseInt(m.group(1))));
      }
    }
    return tables;
  }

  static List<String> hints(CoAtNetConfig model, Map<String, long[]> shapes) {
    List<String> hints = new ArrayList<>();
    if (!shapes.containsKey("s0.0.0.weight") || !shapes.containsKey("fc.weight")) {
      foreignHints(shapes, hints);
      return hints;
    }
    int size = tableHints(model, shapes, hints);
    Optional<CoAtNetConfig> inferred = detect(shapes, size > 0 ? size : model.imageSize());
    if (inferred.isEmpty()) {
      return hints;
    }
    CoAtNetConfig found = inferred.get();
    Optional<Boolean> complete = complete(found, shapes);
    String what = complete.orElse(false) ? "is a complete " : "resembles ";
    String tail = complete.isPresent() && !complete.get()
        ? " (but not every key/shape fits it, see the problems above)" : "";
    if (!found.sameNetwork(model)) {
      Optional<Variant<CoAtNetConfig>> v = variantOf(found);
      if (v.isPresent()) {
        StringBuilder sb = new StringBuilder("the checkpoint looks like variant '")
            .append(v.get().id()).append("' (num_blocks ").append(found.numBlocks())
            .append(", channels ").append(found.channels()).append(", block_types ")
            .append(CoAtNetBlockType.describe(found.blockTypes()));
        if (found.numClasses() != v.get().config().numClasses()) {
          sb.append(", ").append(found.numClasses()).append(" classes");
        }
        if (found.imageSize() != v.get().config().imageSize()) {
          sb.append(", built for ").append(found.imageSize()).append('x').append(found.imageSize());
        }
        sb.append(")").append(tail).append("; this model is ").append(describeModel(model))
            .append(": build '").append(v.get().id()).append("' instead");
        hints.add(sb.toString());
      } else {
        hints.add("the checkpoint " + what + found.describe() + tail
            + ", which is no registered variant; this model is " + describeModel(model)
            + ": build the checkpoint's network with new CoAtNetConfig(...)");
      }
    } else if (found.numClasses() != model.numClasses()) {
      long[] fc = shapes.get("fc.weight");
      hints.add("the checkpoint's classifier has " + found.numClasses() + " classes ('fc.weight' "
          + Checks.shape(fc) + "), this model " + model.numClasses()
          + ": use CoAtNetConfig.withNumClasses(" + found.numClasses() + ")");
    }
    return hints;
  }

  /** Hints on the bias tables; returns the one build size they all fit, or 0. */
  private static int tableHints(CoAtNetConfig model, Map<String, long[]> shapes,
      List<String> hints) {
    List<Table> tables = tables(shapes);
    if (tables.isEmpty()) {
      return 0;
    }
    List<Table> odd = tables.stream().filter(t -> t.imageSize() == 0).toList();
    for (Table t : odd) {
      hints.add("'" + t.key() + "' " + Checks.shape(t.shape())
          + " is no relative-position table of a square grid: its rows are not (2h-1)^2 for any"
          + " h, or its columns are not the " + CoAtNetConfig.HEADS + " heads");
    }
    TreeSet<Integer> sizes = new TreeSet<>();
    Map<Integer, Table> example = new LinkedHashMap<>();
    for (Table t : tables) {
      if (t.imageSize() > 0) {
        sizes.add(t.imageSize());
        example.putIfAbsent(t.imageSize(), t);
      }
    }
    if (sizes.size() > 1) {
      StringBuilder sb = new StringBuilder(
          "the relative-position bias tables of this checkpoint fit different build sizes:");
      for (int s : sizes) {
        Table t = example.get(s);
        sb.append(" '").append(t.key()).append("' ").append(Checks.shape(t.shape()))
            .append(" fits ").append(s).append(';');
      }
      sb.setLength(sb.length() - 1);
      hints.add(sb.append(" (this model was built for ").append(model.imageSize()).append(')')
          .toString());
      return 0;
    }
    if (sizes.size() == 1 && odd.isEmpty()) {
      int s = sizes.first();
      if (s != model.imageSize()) {
        Table t = example.get(s);
        int own = model.stageSize(t.stage());
        hints.add(String.format(
            "the relative-position bias tables of this checkpoint belong to image size %d, not %d:"
                + " '%s' %s has (2*%d-1)^2 rows for the %dx%d token grid of s%d at %d (at %d it is"
                + " [%d, %d] for %dx%d). A CoAtNet is tied to the size it was built for: build it"
                + " with CoAtNetConfig.withImageSize(%d) and feed %dx%d inputs",
            s, model.imageSize(), t.key(), Checks.shape(t.shape()), t.side(), t.side(), t.side(),
            t.stage(), s, model.imageSize(), (2 * own - 1) * (2 * own - 1), CoAtNetConfig.HEADS,
            own, own, s, s, s));
      }
      return s;
    }
    return 0;
  }

  private static Table table(String key, long[] shape, int stage) {
    if (shape.length != 2 || shape[1] != CoAtNetConfig.HEADS || shape[0] <= 0) {
      return new Table(key, shape, stage, 0, 0);
    }
    long root = Math.round(Math.sqrt((double) shape[0]));
    if (root * root != shape[0] || root % 2 == 0) {
      return new Table(key, shape, stage, 0, 0);
    }
    int side = (int) ((root + 1) / 2);
    long image = (long) side << (stage + 1);
    return image > Integer.MAX_VALUE ? new Table(key, shape, stage, 0, 0)
        : new Table(key, shape, stage, side, (int) image);
  }

  /** The network a checkpoint's keys and shapes describe (at {@code imageSize}), if any. */
  static Optional<CoAtNetConfig> detect(Map<String, long[]> shapes, int imageSize) {
    long[] stem = shapes.get("s0.0.0.weight");
    long[] fc = shapes.get("fc.weight");
    if (stem == null || fc == null || stem.length != 4 || fc.length != 2) {
      return Optional.empty();
    }
    List<Integer> blocks = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    List<CoAtNetBlockType> types = new ArrayList<>();
    blocks.add(countBlocks(shapes, "s0"));
    channels.add((int) stem[0]);
    for (int k = 1; k < CoAtNetConfig.NUM_STAGES; k++) {
      String p = "s" + k + ".0.";
      long[] proj = shapes.get(p + "proj.weight");
      if (proj == null || proj.length != 4) {
        return Optional.empty();
      }
      if (shapes.containsKey(p + "attn.1.fn.to_qkv.weight")) {
        types.add(CoAtNetBlockType.TRANSFORMER);
      } else if (shapes.containsKey(p + "conv.norm.weight")) {
        types.add(CoAtNetBlockType.MBCONV);
      } else {
        return Optional.empty();
      }
      blocks.add(countBlocks(shapes, "s" + k));
      channels.add((int) proj[0]);
    }
    try {
      return Optional.of(new CoAtNetConfig(imageSize, blocks, channels, types, (int) fc[0]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static int countBlocks(Map<String, long[]> shapes, String stage) {
    TreeSet<Integer> ids = new TreeSet<>();
    String prefix = stage + ".";
    for (String k : shapes.keySet()) {
      if (k.startsWith(prefix)) {
        String rest = k.substring(prefix.length());
        int dot = rest.indexOf('.');
        String seg = dot < 0 ? rest : rest.substring(0, dot);
        if (seg.matches("\\d{1,6}")) {
          ids.add(Integer.parseInt(seg));
        }
      }
    }
    return ids.size();
  }

  /** Whether {@code c}'s state_dict equals the checkpoint's (empty: too big to check). */
  private static Optional<Boolean> complete(CoAtNetConfig c, Map<String, long[]> shapes) {
    for (int k = 1; k < CoAtNetConfig.NUM_STAGES; k++) {
      long n = (long) c.stageSize(k) * c.stageSize(k);
      if (c.blockType(k) == CoAtNetBlockType.TRANSFORMER && n * n > MAX_INDEX_ENTRIES) {
        return Optional.empty();
      }
    }
    return Optional.of(c.createModule().declaresExactly(shapes));
  }

  private static Optional<Variant<CoAtNetConfig>> variantOf(CoAtNetConfig c) {
    return CoAtNetVariants.ALL.stream().filter(v -> v.config().sameNetwork(c)).findFirst();
  }

  private static String describeModel(CoAtNetConfig model) {
    return CoAtNetVariants.ALL.stream().filter(v -> v.config().equals(model)).findFirst()
        .map(v -> "variant '" + v.id() + "'").orElse(model.describe());
  }

  private static void foreignHints(Map<String, long[]> shapes, List<String> hints) {
    if (shapes.containsKey("module.s0.0.0.weight")) {
      hints.add("every key starts with 'module.' (a DataParallel save): strip it with"
          + " StateDict.withPrefixStripped(\"module.\")");
    } else if (shapes.containsKey("stem.conv1.weight")
        && shapes.keySet().stream().anyMatch(k -> k.startsWith("stages.0.blocks."))) {
      hints.add("this looks like a timm CoAtNet checkpoint (maxxvit.py keys 'stem.conv1.*',"
          + " 'stages.N.blocks.M.*'): a different network than chinhsuanwu/coatnet-pytorch (other"
          + " stem, pooling, heads, norms and head), which this port does not load");
    } else {
      hints.add("the checkpoint has no 's0.0.0.weight' or no 'fc.weight': it does not look like a"
          + " chinhsuanwu/coatnet-pytorch CoAtNet state_dict");
    }
  }
}
