package io.tfhybrid.arch.contnet;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four build flags of the reference's {@code build_model(arch, use_avgdown, relative, qkv_bias,
 * pre_norm)} (spec §3). Users trained with every combination (main.py's {@code type=bool} flags
 * turn on for any non-empty value), so all sixteen are supported.
 *
 * @param useAvgdown shortcut of stride-2 stages = AvgPool2d(2, 2) + 1×1 conv instead of a strided
 *     1×1 conv (renames its key to {@code downsample.conv.conv.weight})
 * @param relative per-STE learned relative position bias, and no absolute position embedding
 * @param qkvBias bias on the fused q/k/v projection
 * @param preNorm pre-norm transformer layers instead of post-norm; invisible in a checkpoint
 */
public record ContNetFlags(boolean useAvgdown, boolean relative, boolean qkvBias, boolean preNorm) {

  /** Reason subjects of the four flags (their names in the reference code). */
  public static final String USE_AVGDOWN = "use_avgdown";

  public static final String RELATIVE = "relative";
  public static final String QKV_BIAS = "qkv_bias";
  public static final String PRE_NORM = "pre_norm";

  // Parity quirk: main.py parses these flags with type=bool, so any non-empty value (even
  // "False") turns one on; users trained with every combination, hence no combination is refused.

  /** main.py's defaults, which every official checkpoint was trained with. */
  public static final ContNetFlags OFFICIAL = new ContNetFlags(false, false, true, false);

  /** What {@link #detect} found, with one reason per flag in words. */
  public record Detection(ContNetFlags flags, List<Reason> reasons) {
    public Detection {
      reasons = List.copyOf(reasons);
    }
  }

  public ContNetFlags withUseAvgdown(boolean v) {
    return new ContNetFlags(v, relative, qkvBias, preNorm);
  }

  public ContNetFlags withRelative(boolean v) {
    return new ContNetFlags(useAvgdown, v, qkvBias, preNorm);
  }

  public ContNetFlags withQkvBias(boolean v) {
    return new ContNetFlags(useAvgdown, relative, v, preNorm);
  }

  public ContNetFlags withPreNorm(boolean v) {
    return new ContNetFlags(useAvgdown, relative, qkvBias, v);
  }

  private static final Pattern STE_KEY =
      Pattern.compile("layer(\\d+)\\.ConTBlock(\\d+)\\.ste[12]\\.(.+)");
  private static final Pattern SHORTCUT_KEY =
      Pattern.compile(
          "layer(\\d+)\\.ConTBlock(\\d+)\\.downsample\\.(conv\\.weight|conv\\.conv\\.weight)");

  /**
   * Detects {@code relative}, {@code qkv_bias} and {@code use_avgdown} from a checkpoint's keys
   * (spec §3 "What a checkpoint reveals"); a leading {@code module.} (DataParallel) is ignored.
   * {@code pre_norm} leaves no trace in a checkpoint, so the caller supplies it.
   *
   * @throws IllegalArgumentException when the keys hold no ConTNet transformer encoder, or
   *     contradict each other (both absolute and relative position keys)
   */
  public static Detection detect(Map<String, long[]> checkpointShapes, boolean preNorm) {
    Map<String, long[]> shapes = withoutModulePrefix(checkpointShapes);
    Optional<String> table =
        firstKey(shapes, k -> k.endsWith(".attn.relative_position_bias_table"));
    Optional<String> pe = firstKey(shapes, k -> k.endsWith(".pe.0") || k.endsWith(".pe.1"));
    Optional<String> qkvWeight = firstKey(shapes, k -> k.endsWith(".attn.qkv.weight"));
    Optional<String> qkvBias = firstKey(shapes, k -> k.endsWith(".attn.qkv.bias"));
    boolean anySte = shapes.keySet().stream().anyMatch(k -> STE_KEY.matcher(k).matches());
    Checks.checkArg(
        anySte && qkvWeight.isPresent(),
        "not a ConTNet state_dict: no 'layer<s>.ConTBlock<j>.ste1/ste2.attn.qkv.weight' among its"
            + " %s keys (first: %s)",
        shapes.size(),
        shapes.keySet().stream().limit(3).toList());
    Checks.checkArg(
        !(table.isPresent() && pe.isPresent()),
        "inconsistent ConTNet state_dict: it has both absolute ('%s') and relative ('%s') position"
            + " keys; the reference builds one or the other",
        pe.orElse(""),
        table.orElse(""));

    int lastStage = 0;
    for (String k : shapes.keySet()) {
      Matcher m = STE_KEY.matcher(k);
      if (m.matches()) {
        lastStage = Math.max(lastStage, Integer.parseInt(m.group(1)));
      }
    }
    // Only stride-2 stages (all but the last) show use_avgdown: the last stage always has a plain
    // 'downsample.conv.weight'.
    String avgKey = null;
    String plainKey = null;
    for (String k : shapes.keySet()) {
      Matcher m = SHORTCUT_KEY.matcher(k);
      if (m.matches() && Integer.parseInt(m.group(1)) < lastStage) {
        if (m.group(3).equals("conv.conv.weight")) {
          avgKey = avgKey == null ? k : avgKey;
        } else {
          plainKey = plainKey == null ? k : plainKey;
        }
      }
    }
    Checks.checkArg(
        avgKey == null || plainKey == null,
        "inconsistent ConTNet state_dict: stride-2 shortcuts with ('%s') and without ('%s')"
            + " avg-down",
        avgKey,
        plainKey);
    boolean avgdown = avgKey != null;
    List<Reason> reasons = new ArrayList<>();
    reasons.add(Reason.read(USE_AVGDOWN,
        avgdown
            ? "use_avgdown=True: found '"
                + avgKey
                + "' (avg-down renames the stride-2 shortcut key)"
            : plainKey != null
                ? "use_avgdown=False: found '" + plainKey + "' (not 'downsample.conv.conv.weight')"
                : "use_avgdown=False: no stride-2 stage shortcut, so the flag has no effect"));
    boolean relative = table.isPresent();
    reasons.add(Reason.read(RELATIVE,
        relative
            ? "relative=True: found '" + table.get() + "' and no 'pe.0'/'pe.1'"
            : pe.isPresent()
                ? "relative=False: found '" + pe.get() + "' and no 'relative_position_bias_table'"
                : "relative=False: neither position keys 'pe.0' nor 'relative_position_bias_table'"
                    + " found"));
    boolean bias = qkvBias.isPresent();
    reasons.add(Reason.read(QKV_BIAS,
        bias
            ? "qkv_bias=True: found '" + qkvBias.get() + "'"
            : "qkv_bias=False: '" + qkvWeight.get() + "' has no '.bias' beside it"));
    reasons.add(Reason.stated(PRE_NORM,
        "pre_norm="
            + (preNorm ? "True" : "False")
            + ": given by the caller (not visible in"
            + " a checkpoint: same keys and shapes; the official default is False)"));
    return new Detection(new ContNetFlags(avgdown, relative, bias, preNorm), reasons);
  }

  /** The keys without a leading {@code module.} when every key carries it. */
  static Map<String, long[]> withoutModulePrefix(Map<String, long[]> shapes) {
    if (shapes.isEmpty() || !shapes.keySet().stream().allMatch(k -> k.startsWith("module."))) {
      return shapes;
    }
    Map<String, long[]> out = new LinkedHashMap<>();
    shapes.forEach((k, v) -> out.put(k.substring("module.".length()), v));
    return out;
  }

  private static Optional<String> firstKey(
      Map<String, long[]> shapes, java.util.function.Predicate<String> p) {
    return shapes.keySet().stream().filter(p).findFirst();
  }

  /** Python-style flag list, as the reference's {@code build_model} would be called. */
  @Override
  public String toString() {
    return "use_avgdown="
        + py(useAvgdown)
        + ", relative="
        + py(relative)
        + ", qkv_bias="
        + py(qkvBias)
        + ", pre_norm="
        + py(preNorm);
  }

  private static String py(boolean b) {
    return b ? "True" : "False";
  }
}
