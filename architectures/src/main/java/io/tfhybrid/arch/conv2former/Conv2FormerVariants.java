package io.tfhybrid.arch.conv2former;

import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The official Conv2Former variants (the registry functions of models/conv2former.py) and
 * config inference from a checkpoint's shapes.
 */
public final class Conv2FormerVariants {
  private Conv2FormerVariants() {}

  /**
   * Evaluation transform: the README's ImageNet mean/std and 224 crop; bicubic resize of the
   * shorter side to 256 (timm's validate defaults for crop 0.875).
   */
  public static final Preprocessing EVAL = Preprocessing.resizeCrop(Preprocessing.Interpolation.BICUBIC, 256, 224);

  private static Variant<Conv2FormerConfig> v(String id, int k, List<Integer> dims, List<Integer> depths) {
    return Variant.of(Arch.CONV2FORMER, id,
        new Conv2FormerConfig(k, dims, depths, List.of(4, 4, 4, 4), 1000), 224, EVAL);
  }

  // Parity quirk: conv2former_n uses k=7 since commit 91d1bda (older code and Jittor use 11);
  // conv2former_b_22k uses k=7 and has 88.78M parameters although the README says 90M.
  public static final Variant<Conv2FormerConfig> N =
      v("conv2former_n_224", 7, List.of(64, 128, 256, 512), List.of(2, 2, 8, 2));
  public static final Variant<Conv2FormerConfig> T =
      v("conv2former_t_224", 11, List.of(72, 144, 288, 576), List.of(3, 3, 12, 3));
  public static final Variant<Conv2FormerConfig> S =
      v("conv2former_s_224", 11, List.of(72, 144, 288, 576), List.of(4, 4, 32, 4));
  public static final Variant<Conv2FormerConfig> B =
      v("conv2former_b_224", 11, List.of(96, 192, 384, 768), List.of(4, 4, 34, 4));
  public static final Variant<Conv2FormerConfig> B_22K =
      v("conv2former_b_22k_224", 7, List.of(96, 192, 384, 768), List.of(4, 4, 34, 4));
  public static final Variant<Conv2FormerConfig> L =
      v("conv2former_l_224", 11, List.of(128, 256, 512, 1024), List.of(4, 4, 48, 4));

  public static final List<Variant<Conv2FormerConfig>> ALL = List.of(N, T, S, B, B_22K, L);

  private static final Pattern BLOCK = Pattern.compile("stages\\.(\\d)\\.(\\d+)\\..*");

  /** The official resolution, used for an inferred configuration (no key fixes the input size). */
  static final int DEFAULT_SIZE = 224;

  /**
   * Infers the configuration from checkpoint shapes (spec §1): k from
   * {@code stages.0.0.attn.att.2.weight}, widths from the downsampling convs, depths from block
   * indices, MLP ratios from {@code fc1}, classes from {@code pred}; input 224×224. Empty when the
   * keys are not a Conv2Former state_dict.
   */
  public static Optional<Detection<Conv2FormerConfig>> detect(Map<String, long[]> shapes) {
    long[] att = shapes.get("stages.0.0.attn.att.2.weight");
    long[] stem = shapes.get("downsample_layers.0.6.weight");
    long[] pred = shapes.get("pred.weight");
    if (att == null || att.length != 4 || stem == null || pred == null || pred.length != 2) {
      return Optional.empty();
    }
    List<Integer> dims = new ArrayList<>();
    dims.add((int) stem[0]);
    for (int i = 1; i < 4; i++) {
      long[] w = shapes.get("downsample_layers." + i + ".1.weight");
      if (w == null) {
        return Optional.empty();
      }
      dims.add((int) w[0]);
    }
    List<TreeSet<Integer>> blocks = List.of(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    for (String k : shapes.keySet()) {
      Matcher m = BLOCK.matcher(k);
      if (m.matches() && Integer.parseInt(m.group(1)) < 4) {
        blocks.get(Integer.parseInt(m.group(1))).add(Integer.parseInt(m.group(2)));
      }
    }
    List<Integer> depths = new ArrayList<>();
    List<Integer> ratios = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      long[] fc1 = shapes.get("stages." + i + ".0.mlp.fc1.weight");
      if (blocks.get(i).isEmpty() || fc1 == null) {
        return Optional.empty();
      }
      depths.add(blocks.get(i).last() + 1);
      ratios.add((int) (fc1[0] / dims.get(i)));
    }
    Conv2FormerConfig c;
    try {
      c = new Conv2FormerConfig((int) att[2], dims, depths, ratios, (int) pred[0]);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    List<Reason> why = List.of(
        Reason.read("kernel_size", "kernel_size=" + c.kernelSize()
            + ": 'stages.0.0.attn.att.2.weight' is " + Checks.shape(att)),
        Reason.read("dims", "dims=" + dims + ": dim 0 of 'downsample_layers.0.6.weight' and"
            + " 'downsample_layers.1..3.1.weight'"),
        Reason.read("depths", "depths=" + depths + ": the block indices 'stages.<i>.<j>'"),
        Reason.read("mlp_ratios",
            "mlp_ratios=" + ratios + ": rows of 'stages.<i>.0.mlp.fc1.weight' / dims"),
        Reason.read(Reason.NUM_CLASSES,
            "num_classes=" + c.numClasses() + ": 'pred.weight' is " + Checks.shape(pred)),
        Reason.assumed(Reason.INPUT_SIZE, "input " + DEFAULT_SIZE + "x" + DEFAULT_SIZE
            + ": the official resolution (the weights do not fix the input size; any side >= 31"
            + " runs)"));
    return Optional.of(Detection.of(Arch.CONV2FORMER, c, DEFAULT_SIZE, why));
  }
}
