package io.tfhybrid.interop.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmArgs;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConfig;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmVariants;
import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A timm {@code config.json} as {@code save_config_for_hf} / {@code push_to_hf_hub} write it next
 * to {@code model.safetensors} on the Hugging Face hub (spec coatnet_timm §3): the architecture,
 * the class count, optional constructor overrides ({@code model_args}) and the evaluation
 * transform ({@code pretrained_cfg}). The old single-level layout (everything at the root) is
 * read too; unknown keys are ignored, as timm does.
 *
 * @param file where it was read from
 * @param architecture timm model name without tag ({@code coatnet_rmlp_2_rw_384})
 * @param tag the pretrained tag ({@code sw_in12k_ft_in1k}), empty when none is given
 * @param numClasses root {@code num_classes}, else {@code pretrained_cfg.num_classes}; 0 when
 *     neither is given (the architecture's default)
 * @param height {@code input_size[1]} (0 when absent: the architecture's default)
 * @param width {@code input_size[2]}
 * @param interpolation {@code interpolation} (timm's default bicubic)
 * @param cropMode {@code crop_mode} (default center)
 * @param cropPct {@code crop_pct} (default 0.875)
 * @param mean {@code mean} (default ImageNet)
 * @param std {@code std} (default ImageNet)
 * @param modelArgs constructor keywords, in file order (plain values: numbers, booleans, strings,
 *     lists, null)
 */
public record TimmConfig(
    Path file,
    String architecture,
    String tag,
    int numClasses,
    int height,
    int width,
    Interpolation interpolation,
    CropMode cropMode,
    double cropPct,
    List<Float> mean,
    List<Float> std,
    Map<String, Object> modelArgs) {

  /** A config.json is a few kB; anything larger is not one. */
  public static final long MAX_BYTES = 1 << 20;

  /** timm's {@code DEFAULT_CROP_PCT}. */
  public static final double DEFAULT_CROP_PCT = 0.875;

  private static final ObjectMapper JSON = new ObjectMapper();

  public TimmConfig {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    modelArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(modelArgs));
  }

  /**
   * Whether {@code file} looks like timm's config.json: a string {@code architecture} and a {@code
   * pretrained_cfg} object (or, in the old single-level layout, {@code input_size} and {@code
   * interpolation} at the root).
   */
  public static boolean isTimmConfig(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
        return false;
      }
      JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      return root != null
          && root.isObject()
          && root.path("architecture").isTextual()
          && (root.path("pretrained_cfg").isObject()
              || root.has("input_size") && root.has("interpolation"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Reads and checks a config.json; a malformed one is a {@link CheckpointFormatException}. */
  public static TimmConfig read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new CheckpointFormatException(file, 0,
          "a timm config.json of " + size + " bytes; expected at most " + MAX_BYTES);
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
      throw new CheckpointFormatException(file, at, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw bad(file, "the top level", "a JSON object", root == null ? "nothing" : root.getNodeType());
    }
    JsonNode arch = root.get("architecture");
    if (arch == null || !arch.isTextual() || arch.asText().isEmpty()) {
      throw bad(file, "'architecture'", "a timm model name such as \"coatnet_0_rw_224\"", arch);
    }
    JsonNode cfg = root.has("pretrained_cfg") ? root.get("pretrained_cfg") : root;
    if (!cfg.isObject()) {
      throw bad(file, "'pretrained_cfg'", "a JSON object", cfg.getNodeType());
    }
    String name = arch.asText();
    String tag = cfg.path("tag").isTextual() ? cfg.get("tag").asText() : "";
    if (name.contains(".")) {
      tag = tag.isEmpty() ? name.substring(name.indexOf('.') + 1) : tag;
      name = name.substring(0, name.indexOf('.'));
    }
    int classes = 0;
    if (root.has("num_classes")) {
      classes = positive(file, "'num_classes'", root.get("num_classes"));
    } else if (cfg.has("num_classes")) {
      classes = positive(file, "'pretrained_cfg.num_classes'", cfg.get("num_classes"));
    }
    int h = 0;
    int w = 0;
    if (cfg.has("input_size")) {
      JsonNode in = cfg.get("input_size");
      if (!in.isArray() || in.size() != 3) {
        throw bad(file, "'input_size'", "[channels, height, width]", in);
      }
      int c = positive(file, "'input_size[0]'", in.get(0));
      if (c != 3) {
        throw bad(file, "'input_size[0]'", "3 (RGB)", in.get(0));
      }
      h = positive(file, "'input_size[1]'", in.get(1));
      w = positive(file, "'input_size[2]'", in.get(2));
    }
    Map<String, Object> args = new LinkedHashMap<>();
    if (root.has("model_args") && !root.get("model_args").isNull()) {
      JsonNode ma = root.get("model_args");
      if (!ma.isObject()) {
        throw bad(file, "'model_args'", "a JSON object of constructor keywords", ma.getNodeType());
      }
      ma.fields().forEachRemaining(e -> args.put(e.getKey(), plain(e.getValue())));
    }
    return transform(file, cfg, name, tag, classes, h, w, args);
  }

  private static TimmConfig transform(Path file, JsonNode cfg, String name, String tag,
      int classes, int h, int w, Map<String, Object> args) throws CheckpointFormatException {
    String interp = cfg.path("interpolation").asText("bicubic").toLowerCase(Locale.ROOT);
    Interpolation interpolation = switch (interp) {
      case "bicubic" -> Interpolation.BICUBIC;
      case "bilinear" -> Interpolation.BILINEAR;
      default -> throw bad(file, "'interpolation'", "\"bicubic\" or \"bilinear\"", interp);
    };
    String mode = cfg.path("crop_mode").asText("center").toLowerCase(Locale.ROOT);
    CropMode cropMode = switch (mode) {
      case "center" -> CropMode.CENTER;
      case "squash" -> CropMode.SQUASH;
      default -> throw bad(file, "'crop_mode'", "\"center\" or \"squash\" (\"border\" is not"
          + " supported)", mode);
    };
    double pct = DEFAULT_CROP_PCT;
    if (cfg.has("crop_pct") && !cfg.get("crop_pct").isNull()) {
      JsonNode p = cfg.get("crop_pct");
      if (!p.isNumber() || p.asDouble() <= 0 || p.asDouble() > 1) {
        throw bad(file, "'crop_pct'", "a number in (0, 1]", p);
      }
      pct = p.asDouble();
    }
    List<Float> mean = triple(file, "mean", cfg, Preprocessing.IMAGENET_MEAN);
    List<Float> std = triple(file, "std", cfg, Preprocessing.IMAGENET_STD);
    for (float s : std) {
      if (!(s > 0)) {
        throw bad(file, "'std'", "three positive numbers", cfg.get("std"));
      }
    }
    return new TimmConfig(file, name, tag, classes, h, w, interpolation, cropMode, pct, mean, std,
        args);
  }

  private static List<Float> triple(Path file, String key, JsonNode cfg, List<Float> dflt)
      throws CheckpointFormatException {
    if (!cfg.has(key)) {
      return dflt;
    }
    JsonNode n = cfg.get(key);
    if (!n.isArray() || n.size() != 3) {
      throw bad(file, "'" + key + "'", "three numbers (R, G, B)", n);
    }
    List<Float> out = new ArrayList<>();
    for (JsonNode x : n) {
      if (!x.isNumber()) {
        throw bad(file, "'" + key + "'", "three numbers (R, G, B)", n);
      }
      out.add(x.floatValue());
    }
    return out;
  }

  private static int positive(Path file, String what, JsonNode n)
      throws CheckpointFormatException {
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
      throw bad(file, what, "a positive integer", n);
    }
    return n.asInt();
  }

  private static CheckpointFormatException bad(Path file, String what, String expected,
      Object found) {
    return new CheckpointFormatException(file, -1,
        "timm config.json " + what + ": expected " + expected + ", found " + found);
  }

  /** A JSON value as a plain Java value (Number, Boolean, String, List, Map, null). */
  private static Object plain(JsonNode n) {
    return JSON.convertValue(n, Object.class);
  }

  /** {@code architecture.tag}, or the architecture when there is no tag. */
  public String modelName() {
    return tag.isEmpty() ? architecture : architecture + "." + tag;
  }

  /**
   * The network timm builds from this config: the architecture's defaults, then {@code
   * model_args}, then the class count and {@code input_size} (constructed for that size, because
   * every pretrained CoAtNet has {@code fixed_input_size}). Unknown architectures list the known
   * ones.
   */
  public CoAtNetTimmConfig modelConfig() {
    Variant<CoAtNetTimmConfig> v = CoAtNetTimmVariants.architecture(architecture);
    CoAtNetTimmConfig c = CoAtNetTimmArgs.apply(v.config(), modelArgs);
    if (numClasses > 0) {
      c = c.withNumClasses(numClasses);
    }
    if (height > 0) {
      c = c.withImageSize(height, width);
    }
    return c;
  }

  /** The family these configs build (the only timm family tfhybrid ports). */
  public Arch arch() {
    return Arch.COATNET_TIMM;
  }

  /** timm's eval transform for the size {@code c} is built for ({@code input_size}). */
  public Preprocessing preprocessing(CoAtNetTimmConfig c) {
    return Preprocessing.timm(interpolation, cropMode, cropPct, c.height(), c.width(), mean, std);
  }
}
