package io.tfhybrid.arch.cvt;

import io.tfhybrid.arch.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hints for a checkpoint that does not load into a CvT: Hugging Face names, a DataParallel
 * prefix, and which official variant (CvT-13/21/W24) the keys and shapes identify.
 */
final class CvtDiagnosis {
  private CvtDiagnosis() {}

  private static final Pattern BLOCK_KEY = Pattern.compile("stage(\\d+)\\.blocks\\.(\\d+)\\..*");

  /**
   * What the weights say about a CvT (heads cannot be read from weights, nor strides).
   *
   * @param numClasses rows of {@code head.weight}, or -1 without a head
   */
  record Structure(List<Long> widths, List<Long> kernels, List<Integer> depths,
      List<Boolean> clsTokens, List<Boolean> qkvBias, List<Long> mlpHidden, long numClasses) {

    static Structure of(Map<String, long[]> shapes) {
      List<Long> widths = new ArrayList<>();
      List<Long> kernels = new ArrayList<>();
      List<Integer> depths = new ArrayList<>();
      List<Boolean> cls = new ArrayList<>();
      List<Boolean> bias = new ArrayList<>();
      List<Long> hidden = new ArrayList<>();
      Map<Integer, Integer> maxBlock = new LinkedHashMap<>();
      for (String k : shapes.keySet()) {
        Matcher m = BLOCK_KEY.matcher(k);
        if (m.matches()) {
          maxBlock.merge(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Math::max);
        }
      }
      for (int i = 0; ; i++) {
        long[] proj = shapes.get("stage" + i + ".patch_embed.proj.weight");
        if (proj == null || proj.length != 4) {
          break;
        }
        widths.add(proj[0]);
        kernels.add(proj[2]);
        depths.add(maxBlock.getOrDefault(i, -1) + 1);
        cls.add(shapes.containsKey("stage" + i + ".cls_token"));
        String b0 = "stage" + i + ".blocks.0.";
        bias.add(shapes.containsKey(b0 + "attn.proj_q.bias"));
        long[] fc1 = shapes.get(b0 + "mlp.fc1.weight");
        hidden.add(fc1 == null || fc1.length != 2 ? -1L : fc1[0]);
      }
      long[] head = shapes.get("head.weight");
      return new Structure(widths, kernels, depths, cls, bias, hidden,
          head == null || head.length != 2 ? -1 : head[0]);
    }

    static Structure of(CvtConfig config) {
      return of(config.createModule().stateDictShapes());
    }

    boolean isEmpty() {
      return widths.isEmpty();
    }

    /** Same architecture, ignoring the class count. */
    boolean sameBody(Structure o) {
      return widths.equals(o.widths) && kernels.equals(o.kernels) && depths.equals(o.depths)
          && clsTokens.equals(o.clsTokens) && qkvBias.equals(o.qkvBias)
          && mlpHidden.equals(o.mlpHidden);
    }

    String describe() {
      return String.format("widths %s, depths %s, class token %s, q/k/v bias %s, MLP widths %s,"
          + " %s classes", widths, depths, clsTokens, qkvBias, mlpHidden,
          numClasses < 0 ? "no head /" : Long.toString(numClasses));
    }
  }

  static List<String> hints(CvtConfig model, Map<String, long[]> checkpoint) {
    List<String> hints = new ArrayList<>();
    Map<String, long[]> shapes = checkpoint;
    List<String> hf = checkpoint.keySet().stream().filter(CvtHfNames::isHfKey).toList();
    if (!hf.isEmpty()) {
      hints.add(String.format("the checkpoint uses Hugging Face CvT names (%d of %d keys, e.g."
              + " '%s'): convert it with CvtHfNames.toOriginal(stateDict.asMap()) and load the"
              + " result. The weights are the original ones; Hugging Face's Python CvT runs them"
              + " with the exact GELU: keep GeluKind.QUICK (default) to run the model as trained"
              + " and as the official code does, use CvtConfig.withMlpActivation(GeluKind.ERF)"
              + " only to reproduce Hugging Face's outputs", hf.size(), checkpoint.size(),
          hf.get(0)));
      shapes = CvtHfNames.originalShapes(checkpoint);
    }
    if (!shapes.isEmpty() && shapes.keySet().stream().allMatch(k -> k.startsWith("module."))) {
      hints.add("every key starts with 'module.' (saved from DataParallel): strip it with"
          + " stateDict.withPrefixStripped(\"module.\")");
      Map<String, long[]> stripped = new LinkedHashMap<>();
      shapes.forEach((k, v) -> stripped.put(k.substring("module.".length()), v));
      shapes = stripped;
    }
    Structure found = Structure.of(shapes);
    if (found.isEmpty()) {
      return hints;
    }
    Structure ours = Structure.of(model);
    List<String> ids = new ArrayList<>();
    String family = null;
    for (Variant<CvtConfig> v : CvtVariants.ALL) {
      if (Structure.of(v.config()).sameBody(found)) {
        ids.add("'" + v.id() + "'");
        family = familyName(v.id());
      }
    }
    if (!ids.isEmpty() && !ours.sameBody(found)) {
      hints.add(String.format("the checkpoint looks like %s (variant %s%s): %s", family,
          String.join(" or ", ids),
          ids.size() > 1 ? "; they share the weight shapes and differ only in default resolution"
              : "",
          found.describe()));
    } else if (ids.isEmpty()) {
      hints.add("the checkpoint is a CvT with " + found.describe() + ", which matches no official"
          + " variant: build a CvtConfig with these stages (head counts cannot be read from the"
          + " weights; the official head width is 64)");
    }
    long ourClasses = model.numClasses() > 0 ? model.numClasses() : -1;
    if (found.numClasses() != ourClasses && found.numClasses() > 0) {
      hints.add("the checkpoint's head has " + found.numClasses() + " classes, the model "
          + (ourClasses < 0 ? "none" : Long.toString(ourClasses)) + ": for a different class count"
          + " use CvtConfig.withNumClasses(" + found.numClasses() + ")");
    }
    return hints;
  }

  /** "cvt_13_224" → "CvT-13", "cvt_w24_384" → "CvT-W24". */
  static String familyName(String variantId) {
    String[] parts = variantId.split("_");
    return "CvT-" + parts[1].toUpperCase(Locale.ROOT);
  }
}
