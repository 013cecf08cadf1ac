package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts Hugging Face CvT checkpoints ({@code microsoft/cvt-13} and friends) to the original
 * microsoft/CvT state_dict keys that {@link Cvt} declares (spec §7). Two spellings are accepted,
 * also mixed:
 *
 * <ul>
 *   <li>HF PyTorch keys ({@code pytorch_model.bin}, {@code model.safetensors}), e.g.
 *       {@code cvt.encoder.stages.0.embedding.convolution_embeddings.projection.weight} →
 *       {@code stage0.patch_embed.proj.weight}: a pure rename.
 *   <li>HF TensorFlow variable names ({@code tf_model.h5}, SavedModel), e.g.
 *       {@code tf_cvt_for_image_classification/cvt/encoder/stages.0/embedding/convolution_embeddings/projection/kernel:0}:
 *       an optional leading model scope and the {@code :0} suffix are dropped, {@code /} becomes
 *       {@code .}, {@code gamma}/{@code beta}/{@code moving_mean}/{@code moving_variance} become
 *       {@code weight}/{@code bias}/{@code running_mean}/{@code running_var}, and {@code kernel}
 *       becomes {@code weight} viewed in torch shape ({@link HostTensor#permutedView}: its bytes
 *       stay in TF's order, which is what the variable needs): 2-D {@code [in, out]} as
 *       {@code [out, in]}, 4-D {@code [kh, kw, in, out]} permuted (3, 2, 0, 1) to OIHW (the
 *       depthwise {@code [3, 3, 1, C]} becomes {@code [C, 1, 3, 3]}). TF checkpoints store no
 *       BatchNorm {@code num_batches_tracked}; the conversion adds it as int64 0 (unused at
 *       inference) so that strict loading passes.
 * </ul>
 *
 * <p>Keys that are not Hugging Face CvT names (for example keys that are already original) pass
 * through unchanged, so the loader reports anything unexpected with its full list. The weights
 * are identical to the original ones up to names and layout; only the HF <em>forward</em> differs
 * (exact GELU, see {@link GeluKind}).
 *
 * <pre>{@code
 * StateDict hf = Checkpoints.read(Path.of("model.safetensors"));
 * CvtHfNames.Converted c = CvtHfNames.toOriginal(hf.asMap());
 * WeightLoader.load(model, StateDict.of(hf.source(), c.tensors(), c.notes()));
 * }</pre>
 */
public final class CvtHfNames {
  private CvtHfNames() {}

  /** The converted tensors (original keys, torch layout, input order) and what was done. */
  public record Converted(LinkedHashMap<String, HostTensor> tensors, List<String> notes) {
    public Converted {
      tensors = new LinkedHashMap<>(tensors);
      notes = List.copyOf(notes);
    }
  }

  /** How a stored tensor becomes the original one. */
  private enum Change {
    NONE,
    /** A TF Keras kernel: 2-D transposed, 4-D permuted (3, 2, 0, 1). */
    TF_KERNEL
  }

  private record Mapping(String key, Change change, boolean tf) {}

  private static final Pattern STAGE = Pattern.compile("encoder\\.stages\\.(\\d+)\\.(.+)");
  private static final Pattern LAYER = Pattern.compile("layers\\.(\\d+)\\.(.+)");
  private static final Pattern CONV_PROJ = Pattern.compile(
      "attention\\.attention\\.convolution_projection_(query|key|value)\\.convolution_projection\\."
          + "(convolution\\.weight|normalization\\.(?:weight|bias|running_mean|running_var"
          + "|num_batches_tracked))");
  private static final Pattern PROJ =
      Pattern.compile("attention\\.attention\\.projection_(query|key|value)\\.(weight|bias)");
  private static final Pattern TOP = Pattern.compile("(layernorm|classifier)\\.(weight|bias)");
  private static final Map<String, String> BLOCK_MODULES = Map.of(
      "layernorm_before", "norm1",
      "layernorm_after", "norm2",
      "attention.output.dense", "attn.proj",
      "intermediate.dense", "mlp.fc1",
      "output.dense", "mlp.fc2");
  private static final Map<String, String> TF_LEAVES = Map.of(
      "kernel", "weight",
      "bias", "bias",
      "gamma", "weight",
      "beta", "bias",
      "moving_mean", "running_mean",
      "moving_variance", "running_var");

  /** True if {@code key} is a Hugging Face CvT name (PyTorch key or TF variable name). */
  public static boolean isHfKey(String key) {
    return map(key).isPresent();
  }

  /** The original key for a Hugging Face CvT name; empty for anything else. */
  public static Optional<String> originalKey(String hfKey) {
    return map(hfKey).map(Mapping::key);
  }

  /** The torch shape the tensor stored as {@code hfKey} with {@code shape} has after conversion. */
  public static long[] originalShape(String hfKey, long[] shape) {
    Optional<Mapping> m = map(hfKey);
    if (m.isEmpty() || m.get().change() == Change.NONE) {
      return shape.clone();
    }
    int[] perm = kernelPermutation(hfKey, shape);
    long[] out = new long[shape.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = shape[perm[i]];
    }
    return out;
  }

  /**
   * Key → shape listing with Hugging Face names replaced by original ones (shapes converted);
   * other keys unchanged. For diagnostics, where only shapes are known.
   */
  public static Map<String, long[]> originalShapes(Map<String, long[]> shapes) {
    Map<String, long[]> out = new LinkedHashMap<>();
    shapes.forEach((k, s) -> out.put(originalKey(k).orElse(k), originalShape(k, s)));
    return out;
  }

  /**
   * Renames (and, for TF kernels, re-lays-out) a Hugging Face CvT state dict into original keys.
   * Two entries that end up under the same key fail with both names.
   */
  public static Converted toOriginal(Map<String, HostTensor> tensors) {
    Map<String, String> origin = new LinkedHashMap<>();
    Map<String, HostTensor> converted = new LinkedHashMap<>();
    int pt = 0;
    int tf = 0;
    int kernels = 0;
    List<String> unchanged = new ArrayList<>();
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      String key = e.getKey();
      Optional<Mapping> m = map(key);
      String target = m.map(Mapping::key).orElse(key);
      HostTensor t = e.getValue();
      if (m.isEmpty()) {
        unchanged.add(key);
      } else if (m.get().tf()) {
        tf++;
        if (m.get().change() == Change.TF_KERNEL) {
          t = relayout(key, t);
          kernels++;
        }
      } else {
        pt++;
      }
      String before = origin.putIfAbsent(target, key);
      Checks.checkArg(before == null,
          "Hugging Face CvT names: both '%s' and '%s' map to '%s'; expected distinct names",
          before, key, target);
      converted.put(target, t);
    }

    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    int added = 0;
    for (Map.Entry<String, HostTensor> e : converted.entrySet()) {
      out.put(e.getKey(), e.getValue());
      if (e.getKey().endsWith(".bn.running_var")) {
        String counter = e.getKey().substring(0, e.getKey().length() - "running_var".length())
            + "num_batches_tracked";
        if (!converted.containsKey(counter)) {
          out.put(counter, HostTensor.ofLongs(new long[0], new long[] {0}));
          added++;
        }
      }
    }
    List<String> notes = new ArrayList<>();
    if (pt > 0) {
      notes.add("renamed " + pt + " Hugging Face PyTorch keys to original CvT keys");
    }
    if (tf > 0) {
      notes.add("renamed " + tf + " Hugging Face TensorFlow variables to original CvT keys ("
          + kernels + " kernels viewed in PyTorch shape, their bytes kept in TensorFlow layout)");
    }
    if (added > 0) {
      notes.add("added " + added + " BatchNorm 'num_batches_tracked' counters (int64 0) that the"
          + " checkpoint does not store (unused at inference)");
    }
    if (!unchanged.isEmpty()) {
      notes.add("left " + unchanged.size() + " keys unchanged (not Hugging Face CvT names): "
          + unchanged.subList(0, Math.min(5, unchanged.size()))
          + (unchanged.size() > 5 ? " …" : ""));
    }
    return new Converted(out, notes);
  }

  /**
   * The torch weight a TF kernel holds, as a view: its bytes stay in TF's order (which is the
   * layout its variable needs), tagged with the torch axes, so loading moves no element.
   */
  private static HostTensor relayout(String key, HostTensor t) {
    return t.permutedView(kernelPermutation(key, t.shape()));
  }

  private static int[] kernelPermutation(String key, long[] shape) {
    return switch (shape.length) {
      case 2 -> new int[] {1, 0};
      case 4 -> new int[] {3, 2, 0, 1};
      default -> throw new IllegalArgumentException("Hugging Face TF kernel '" + key
          + "': expected a rank-2 [in, out] or rank-4 [kh, kw, in, out] tensor, found "
          + Checks.shape(shape));
    };
  }

  /** Maps one name; empty when it is not a Hugging Face CvT name. */
  private static Optional<Mapping> map(String key) {
    String k = key.endsWith(":0") ? key.substring(0, key.length() - 2) : key;
    boolean tf = key.endsWith(":0") || k.contains("/");
    Change change = Change.NONE;
    if (k.contains("/")) {
      String[] seg = k.split("/");
      String last = seg[seg.length - 1];
      if (last.startsWith("cvt.")) {
        k = last; // the class token variable: one dotted name (after an optional scope)
      } else {
        int start = 0;
        while (start < seg.length - 1 && !isTfRoot(seg[start])) {
          start++; // drop the model scope, e.g. tf_cvt_for_image_classification/
        }
        String leaf = TF_LEAVES.get(last);
        if (start >= seg.length - 1 || leaf == null) {
          return Optional.empty();
        }
        k = String.join(".", java.util.Arrays.asList(seg).subList(start, seg.length - 1)) + "."
            + leaf;
        change = last.equals("kernel") ? Change.TF_KERNEL : Change.NONE;
      }
    }
    Optional<String> original = originalPtKey(k);
    Change c = change;
    return original.map(o -> new Mapping(o, c, tf));
  }

  private static boolean isTfRoot(String segment) {
    return segment.equals("cvt") || segment.equals("layernorm") || segment.equals("classifier");
  }

  /** HF PyTorch key (with or without the {@code cvt.} prefix) → original key. */
  private static Optional<String> originalPtKey(String hf) {
    Matcher top = TOP.matcher(hf);
    if (top.matches()) {
      return Optional.of((top.group(1).equals("layernorm") ? "norm." : "head.") + top.group(2));
    }
    String k = hf.startsWith("cvt.") ? hf.substring(4) : hf;
    Matcher st = STAGE.matcher(k);
    if (!st.matches()) {
      return Optional.empty();
    }
    String stage = "stage" + st.group(1) + ".";
    String rest = st.group(2);
    switch (rest) {
      case "cls_token":
        return Optional.of(stage + "cls_token");
      case "embedding.convolution_embeddings.projection.weight":
      case "embedding.convolution_embeddings.projection.bias":
        return Optional.of(stage + "patch_embed.proj." + leaf(rest));
      case "embedding.convolution_embeddings.normalization.weight":
      case "embedding.convolution_embeddings.normalization.bias":
        return Optional.of(stage + "patch_embed.norm." + leaf(rest));
      default:
        break;
    }
    Matcher layer = LAYER.matcher(rest);
    if (!layer.matches()) {
      return Optional.empty();
    }
    String block = stage + "blocks." + layer.group(1) + ".";
    String inner = layer.group(2);
    Matcher conv = CONV_PROJ.matcher(inner);
    if (conv.matches()) {
      String part = conv.group(2).startsWith("convolution.")
          ? "conv.weight"
          : "bn." + conv.group(2).substring("normalization.".length());
      return Optional.of(block + "attn.conv_proj_" + qkv(conv.group(1)) + "." + part);
    }
    Matcher proj = PROJ.matcher(inner);
    if (proj.matches()) {
      return Optional.of(block + "attn.proj_" + qkv(proj.group(1)) + "." + proj.group(2));
    }
    int dot = inner.lastIndexOf('.');
    if (dot > 0) {
      String module = BLOCK_MODULES.get(inner.substring(0, dot));
      String leaf = inner.substring(dot + 1);
      if (module != null && (leaf.equals("weight") || leaf.equals("bias"))) {
        return Optional.of(block + module + "." + leaf);
      }
    }
    return Optional.empty();
  }

  private static String leaf(String dotted) {
    return dotted.substring(dotted.lastIndexOf('.') + 1);
  }

  private static String qkv(String hfPart) {
    return switch (hfPart) {
      case "query" -> "q";
      case "key" -> "k";
      default -> "v";
    };
  }
}
