package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.Layout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spec's §7 table in the forward direction (original key → Hugging Face name), written out
 * here independently of {@code CvtHfNames}, to turn a fixture's state dict into what a Hugging Face
 * checkpoint would hold (used by the diagnosis tests here and the HF golden tests).
 */
public final class CvtHfTable {
  private CvtHfTable() {}

  /** The TF model scope HF strips when converting; variables carry it, the class token does not. */
  public static final String TF_SCOPE = "tf_cvt_for_image_classification/";

  private static final String[][] BLOCK = {
      {"norm1.", "layernorm_before."},
      {"norm2.", "layernorm_after."},
      {"attn.conv_proj_q.conv.", "attention.attention.convolution_projection_query.convolution_projection.convolution."},
      {"attn.conv_proj_k.conv.", "attention.attention.convolution_projection_key.convolution_projection.convolution."},
      {"attn.conv_proj_v.conv.", "attention.attention.convolution_projection_value.convolution_projection.convolution."},
      {"attn.conv_proj_q.bn.", "attention.attention.convolution_projection_query.convolution_projection.normalization."},
      {"attn.conv_proj_k.bn.", "attention.attention.convolution_projection_key.convolution_projection.normalization."},
      {"attn.conv_proj_v.bn.", "attention.attention.convolution_projection_value.convolution_projection.normalization."},
      {"attn.proj_q.", "attention.attention.projection_query."},
      {"attn.proj_k.", "attention.attention.projection_key."},
      {"attn.proj_v.", "attention.attention.projection_value."},
      {"attn.proj.", "attention.output.dense."},
      {"mlp.fc1.", "intermediate.dense."},
      {"mlp.fc2.", "output.dense."}};

  private static final Pattern STAGE = Pattern.compile("stage(\\d+)\\.(.*)");
  private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\.(.*)");

  /** Original key → HF PyTorch key ({@code cvt.encoder.stages.0...}, {@code layernorm.*}, ...). */
  public static String pytorchKey(String k) {
    if (k.startsWith("norm.")) {
      return "layernorm." + k.substring(5);
    }
    if (k.startsWith("head.")) {
      return "classifier." + k.substring(5);
    }
    Matcher m = STAGE.matcher(k);
    if (!m.matches()) {
      throw new AssertionError("no HF name for " + k);
    }
    String s = "cvt.encoder.stages." + m.group(1) + ".";
    String rest = m.group(2);
    if (rest.equals("cls_token")) {
      return s + "cls_token";
    }
    if (rest.startsWith("patch_embed.proj.")) {
      return s + "embedding.convolution_embeddings.projection."
          + rest.substring("patch_embed.proj.".length());
    }
    if (rest.startsWith("patch_embed.norm.")) {
      return s + "embedding.convolution_embeddings.normalization."
          + rest.substring("patch_embed.norm.".length());
    }
    Matcher b = BLOCK_KEY.matcher(rest);
    if (b.matches()) {
      for (String[] r : BLOCK) {
        if (b.group(2).startsWith(r[0])) {
          return s + "layers." + b.group(1) + "." + r[1] + b.group(2).substring(r[0].length());
        }
      }
    }
    throw new AssertionError("no HF name for " + k);
  }

  /**
   * Original key → HF TF variable name as stored ({@code <scope>/cvt/encoder/stages.0/.../kernel:0}),
   * or null for {@code num_batches_tracked}, which Keras BatchNormalization does not have.
   */
  public static String tfName(String k) {
    if (k.endsWith("num_batches_tracked")) {
      return null;
    }
    String pt = pytorchKey(k);
    if (pt.endsWith(".cls_token")) {
      return pt + ":0"; // created with add_weight under this one dotted name, no scope
    }
    int dot = pt.lastIndexOf('.');
    String path = pt.substring(0, dot).replace('.', '/')
        .replaceAll("stages/(\\d+)", "stages.$1").replaceAll("layers/(\\d+)", "layers.$1");
    boolean norm = path.endsWith("/normalization") || path.endsWith("layernorm")
        || path.endsWith("layernorm_before") || path.endsWith("layernorm_after");
    String leaf = switch (pt.substring(dot + 1)) {
      case "weight" -> norm ? "gamma" : "kernel";
      case "bias" -> norm ? "beta" : "bias";
      case "running_mean" -> "moving_mean";
      case "running_var" -> "moving_variance";
      default -> throw new AssertionError("no TF name for " + k);
    };
    return TF_SCOPE + path + "/" + leaf + ":0";
  }

  /**
   * The top-level Keras layer of {@code TFCvtForImageClassification} a stored TF name belongs to
   * (the group {@code save_weights} writes it under in {@code tf_model.h5}): {@code cvt}, {@code
   * layernorm} or {@code classifier}; the unscoped class token belongs to {@code cvt}.
   */
  public static String kerasLayer(String tfName) {
    int slash = tfName.indexOf('/');
    return slash < 0 ? "cvt" : tfName.substring(slash + 1, tfName.indexOf('/', slash + 1));
  }

  /** Original tensor → the TF layout HF's Keras port stores (kernels only). */
  public static HostTensor tfLayout(String k, HostTensor t) {
    long[] s = t.shape();
    if (!k.endsWith(".weight") || s.length < 2) {
      return t;
    }
    if (s.length == 2) { // Linear [out, in] → Dense kernel [in, out]
      return HostTensor.ofFloats(new long[] {s[1], s[0]},
          Layout.permute(t.toFloatArray(), s, new int[] {1, 0}));
    }
    // Conv [out, in/g, kh, kw] → Keras Conv2D kernel [kh, kw, in/g, out]
    return HostTensor.ofFloats(new long[] {s[2], s[3], s[1], s[0]},
        Layout.permute(t.toFloatArray(), s, new int[] {2, 3, 1, 0}));
  }

  public static LinkedHashMap<String, HostTensor> toHfPytorch(Map<String, HostTensor> original) {
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    original.forEach((k, t) -> out.put(pytorchKey(k), t));
    return out;
  }

  public static LinkedHashMap<String, HostTensor> toHfTf(Map<String, HostTensor> original) {
    LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    original.forEach((k, t) -> {
      String name = tfName(k);
      if (name != null) {
        out.put(name, tfLayout(k, t));
      }
    });
    return out;
  }
}
