package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.Norm;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.RelPos;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a timm CoAtNet checkpoint's weight signature (spec §10.4) off its keys and torch shapes:
 * identifies the architecture, builds the config for {@code --model auto}, and explains a
 * checkpoint that does not load into a given config.
 */
final class CoAtNetTimmDiagnosis {
  private CoAtNetTimmDiagnosis() {}

  private static final Pattern BLOCK = Pattern.compile("stages\\.(\\d)\\.blocks\\.(\\d+)\\..*");
  private static final Pattern CONVNEXT =
      Pattern.compile("stages\\.\\d\\.blocks\\.\\d+\\.conv_dw\\.weight");

  /** What the weights show: sizes and the visible switches. */
  record Signature(
      List<Integer> stemWidth,
      List<Integer> embedDim,
      List<Integer> depths,
      boolean seEarly,
      boolean outputBias,
      boolean shortcutBias,
      Norm norm,
      RelPos relPos,
      int relPosDim,
      boolean layerScale,
      int numClasses,
      long tableRows) {

    /** The visible switches of {@code c} equal these (sizes aside). */
    boolean sameSwitches(CoAtNetTimmConfig c) {
      return c.conv().attnEarly() == seEarly
          && c.conv().outputBias() == outputBias
          && c.transformer().shortcutBias() == shortcutBias
          && c.transformer().norm() == norm
          && c.transformer().relPos() == relPos
          && (relPos == RelPos.TABLE || c.transformer().relPosDim() == relPosDim)
          && c.transformer().layerScale() == layerScale;
    }

    boolean sameSizes(CoAtNetTimmConfig c) {
      return c.stemWidth().equals(stemWidth)
          && c.embedDim().equals(embedDim)
          && c.depths().equals(depths);
    }

    String describe() {
      return String.format(
          "stem %s, embed_dim %s, depths %s, SE %s, conv biases %s, transformer shortcut bias %s,"
              + " %s, %s, layer scale %s, %d classes",
          stemWidth, embedDim, depths, seEarly ? "early (se_early.*)" : "late (se.*)",
          outputBias ? "yes" : "no", shortcutBias ? "yes" : "no",
          norm == Norm.LAYER_NORM ? "LayerNorm" : "BatchNorm",
          relPos == RelPos.TABLE ? "bias tables" : "bias MLP " + relPosDim,
          layerScale ? "yes" : "no", numClasses);
    }
  }

  /** ConvNeXt-block coatnext checkpoints: the same file layout, another block (out of scope). */
  static Optional<String> unsupported(Map<String, long[]> shapes) {
    for (String k : shapes.keySet()) {
      if (CONVNEXT.matcher(k).matches()) {
        return Optional.of(
            "'" + k + "' is a ConvNeXt block (coatnext_nano_rw_224): timm's CoAtNet family here"
                + " has MBConv blocks only; coatnext is not supported");
      }
    }
    return Optional.empty();
  }

  /** The signature, when the keys are a timm CoAtNet's (stem, 4 stages, head.fc); else empty. */
  static Optional<Signature> signature(Map<String, long[]> shapes) {
    long[] conv1 = shapes.get("stem.conv1.weight");
    long[] conv2 = shapes.get("stem.conv2.weight");
    long[] fc = shapes.get("head.fc.weight");
    if (conv1 == null || conv2 == null || fc == null || conv1.length != 4 || conv2.length != 4
        || fc.length != 2) {
      return Optional.empty();
    }
    int[] depths = new int[CoAtNetTimmConfig.NUM_STAGES];
    for (String k : shapes.keySet()) {
      Matcher m = BLOCK.matcher(k);
      if (m.matches()) {
        int stage = Integer.parseInt(m.group(1));
        int block = Integer.parseInt(m.group(2));
        if (stage >= depths.length || block > 10_000) {
          return Optional.empty();
        }
        depths[stage] = Math.max(depths[stage], block + 1);
      }
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < depths.length; i++) {
      if (depths[i] == 0) {
        return Optional.empty();
      }
      String b0 = "stages." + i + ".blocks.0.";
      long[] out =
          i < CoAtNetTimmConfig.FIRST_TRANSFORMER_STAGE
              ? shapes.get(b0 + "conv3_1x1.weight")
              : shapes.get(b0 + "attn.proj.weight");
      if (out == null || out.length != 4) {
        return Optional.empty();
      }
      dims.add((int) out[0]);
    }
    String t0 = "stages.2.blocks.0.";
    long[] table = shapes.get(t0 + "attn.rel_pos.relative_position_bias_table");
    long[] mlp = shapes.get(t0 + "attn.rel_pos.mlp.fc1.weight");
    if ((table == null) == (mlp == null) || (mlp != null && mlp.length != 2)) {
      return Optional.empty();
    }
    boolean seEarly = shapes.keySet().stream().anyMatch(k -> k.contains(".se_early."));
    return Optional.of(
        new Signature(
            List.of((int) conv1[0], (int) conv2[0]),
            dims,
            List.of(depths[0], depths[1], depths[2], depths[3]),
            seEarly,
            shapes.containsKey("stages.0.blocks.0.conv3_1x1.bias"),
            shapes.containsKey(t0 + "shortcut.expand.bias"),
            shapes.containsKey("norm.running_var") ? Norm.BATCH_NORM : Norm.LAYER_NORM,
            table != null ? RelPos.TABLE : RelPos.MLP,
            mlp != null ? (int) mlp[0] : 512,
            shapes.containsKey(t0 + "ls1.gamma"),
            (int) fc[0],
            table != null ? table[0] : 0));
  }

  /** The pretrained architecture with exactly these sizes and switches (the first of 224/384). */
  static Optional<Variant<CoAtNetTimmConfig>> architectureOf(Signature s) {
    return CoAtNetTimmVariants.ARCHITECTURE_VARIANTS.stream()
        .filter(v -> s.sameSizes(v.config()) && s.sameSwitches(v.config()))
        .findFirst();
  }

  /** The first architecture with the same visible switches, else the one sharing the most. */
  static Variant<CoAtNetTimmConfig> nearest(Signature s) {
    Variant<CoAtNetTimmConfig> best = null;
    int bestScore = -1;
    for (Variant<CoAtNetTimmConfig> v : CoAtNetTimmVariants.ARCHITECTURE_VARIANTS) {
      CoAtNetTimmConfig c = v.config();
      int score =
          (c.conv().attnEarly() == s.seEarly() ? 1 : 0)
              + (c.conv().outputBias() == s.outputBias() ? 1 : 0)
              + (c.transformer().shortcutBias() == s.shortcutBias() ? 1 : 0)
              + (c.transformer().norm() == s.norm() ? 1 : 0)
              + (c.transformer().relPos() == s.relPos() ? 1 : 0)
              + (c.transformer().layerScale() == s.layerScale() ? 1 : 0);
      if (score > bestScore) {
        best = v;
        bestScore = score;
      }
    }
    return best;
  }

  /** The build size a table of {@code rows} rows for stage 2 fits (square), or 0. */
  static int sizeForTable(long rows) {
    long side = Math.round(Math.sqrt((double) rows));
    if (side * side != rows || side % 2 == 0) {
      return 0;
    }
    long window = (side + 1) / 2; // (2h - 1) rows per side
    return (int) Math.min(Integer.MAX_VALUE, window * 16);
  }

  static Optional<Detection<CoAtNetTimmConfig>> detect(Map<String, long[]> shapes) {
    Optional<Signature> sig = signature(shapes);
    if (sig.isEmpty()) {
      return Optional.empty();
    }
    Signature s = sig.get();
    List<Reason> why = new ArrayList<>();
    why.add(
        Reason.read(
        "signature",
        "timm CoAtNet: 'stem.conv1.weight', 'stages.<i>.blocks.<j>.*' and 'head.fc.weight'; "
            + s.describe()));
    Optional<Variant<CoAtNetTimmConfig>> arch = architectureOf(s);
    CoAtNetTimmConfig c;
    if (arch.isPresent()) {
      Variant<CoAtNetTimmConfig> v = arch.get();
      c = v.config().withNumClasses(s.numClasses());
      why.add(
          Reason.read(
          "architecture",
          "architecture " + v.id() + ": its weight signature (widths, depths, se/se_early,"
              + " conv3_1x1.bias, shortcut.expand.bias, norm, rel-pos kind, ls1.gamma); stride"
              + " mode, pools, pre-norm activation and SE activation are not in the weights and"
              + " follow from it"));
      if (v.id().equals("coatnet_rmlp_2_rw_224")) {
        why.add(
            Reason.assumed(
            Reason.INPUT_SIZE,
            "input 224x224: assumed; coatnet_rmlp_2_rw_224 and _384 have identical weights (only"
                + " config.json's input_size tells them apart): --model coatnet_rmlp_2_rw_384"
                + " (or --size 384) for the 384 model"));
      }
    } else {
      Variant<CoAtNetTimmConfig> near = nearest(s);
      int size = 224;
      Reason sizeWhy;
      if (s.relPos() == RelPos.TABLE) {
        size = sizeForTable(s.tableRows());
        if (size == 0) {
          return Optional.empty();
        }
        sizeWhy = Reason.read(Reason.INPUT_SIZE, String.format(
            "input %dx%d: 'stages.2.blocks.0.attn.rel_pos.relative_position_bias_table' has %d"
                + " rows, (2*%d-1)^2 for the %dx%d window of stage 2 (square assumed)",
            size, size, s.tableRows(), size / 16, size / 16, size / 16));
      } else {
        sizeWhy = Reason.assumed(Reason.INPUT_SIZE,
            "input 224x224: assumed (bias-MLP weights fit any"
            + " multiple of " + near.config().withImageSize(224, 224).legalMultiple()
            + "): --size overrides it");
      }
      CoAtNetTimmConfig base = near.config();
      CoAtNetTimmTransformerConfig t = base.transformer();
      c = new CoAtNetTimmConfig(
          s.embedDim(), s.depths(), s.stemWidth(),
          new CoAtNetTimmConvConfig(base.conv().strideMode(), base.conv().poolType(),
              base.conv().preNormAct(), s.outputBias(), s.seEarly(), base.conv().attnAct()),
          new CoAtNetTimmTransformerConfig(t.poolType(), s.shortcutBias(), s.norm(), s.relPos(),
              s.relPosDim(), s.layerScale()),
          s.numClasses(), size, size);
      why.add(
          Reason.assumed(
          "conv_switches",
          "no pretrained architecture has these sizes: the weights do not show stride_mode ("
              + base.conv().strideMode().timmName() + "), pool_type ("
              + base.conv().poolType().timmName() + "), pre_norm act ("
              + (base.conv().preNormAct() ? "SiLU" : "none") + ") and SE act ("
              + base.conv().attnAct().name().toLowerCase(java.util.Locale.ROOT)
              + "): assumed those of " + near.id() + " (nearest visible switches); timm's"
              + " config.json (architecture + model_args) beside the weights sets them"));
      why.add(sizeWhy);
    }
    why.add(Reason.read(Reason.NUM_CLASSES,
        "num_classes=" + s.numClasses() + ": 'head.fc.weight' is "
        + Checks.shape(shapes.get("head.fc.weight"))));
    return Optional.of(Detection.of(Arch.COATNET_TIMM, c, c.height(), why));
  }

  /** Hints for a checkpoint that does not load into {@code model}. */
  static List<String> hints(CoAtNetTimmConfig model, Map<String, long[]> shapes) {
    List<String> hints = new ArrayList<>();
    Optional<Signature> sig = signature(shapes);
    if (sig.isEmpty()) {
      hints.add("the checkpoint is no timm CoAtNet state_dict (it lacks 'stem.conv1.weight',"
          + " 'stages.<i>.blocks.<j>.*' or 'head.fc.weight'; a wrapper key such as 'model.' or"
          + " 'state_dict.' would have been unwrapped)");
      return hints;
    }
    Signature s = sig.get();
    Optional<Variant<CoAtNetTimmConfig>> arch = architectureOf(s);
    boolean sameNetwork = s.sameSizes(model) && s.sameSwitches(model);
    if (!sameNetwork) {
      String what = arch.map(v -> "architecture '" + v.id() + "'")
          .orElse("no pretrained architecture (nearest switches: " + nearest(s).id() + ")");
      hints.add("the checkpoint looks like " + what + ": " + s.describe()
          + arch.map(v -> "; build '" + v.id() + "' instead (or --model auto)").orElse(""));
    }
    if (s.numClasses() != model.numClasses()) {
      hints.add("its classifier has " + s.numClasses() + " classes, this model "
          + model.numClasses()
          + (s.numClasses() == CoAtNetTimmVariants.IN12K
              ? " (an ImageNet-12k 'sw_in12k' head: use that tag, e.g. '"
                  + arch.map(Variant::id).orElse("coatnet_2_rw_224") + ".sw_in12k')"
              : "")
          + "; CoAtNetTimmConfig.withNumClasses(" + s.numClasses() + ") builds it");
    }
    if (sameNetwork && s.relPos() == RelPos.TABLE) {
      long rows = (2L * model.windowHeight(2) - 1) * (2L * model.windowWidth(2) - 1);
      if (rows != s.tableRows()) {
        int size = sizeForTable(s.tableRows());
        hints.add("its stage-2 bias tables have " + s.tableRows() + " rows"
            + (size > 0 ? ", built for " + size + "x" + size : "") + "; this model was built for "
            + model.height() + "x" + model.width() + " (" + rows + " rows)");
      }
    }
    return hints;
  }
}
