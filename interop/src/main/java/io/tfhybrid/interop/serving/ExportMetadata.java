package io.tfhybrid.interop.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.Layout;
import io.tfhybrid.nn.ParamSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an export records about itself in {@code assets.extra/tfhybrid.json}: the model, its
 * configuration, input size, evaluation transform, and for every variable its state_dict key, torch
 * shape, layout and kind, so an import can turn the TF-layout checkpoint back into a PyTorch-layout
 * state dict. TF Serving ignores the file.
 *
 * @param arch family id ({@code conv2former})
 * @param model the model name ({@code conv2former_n_224} or a custom name)
 * @param config the config the model was built from, stored as JSON that reads back into the
 *     config record ({@link ConfigJson}); null when unknown (an export written before the config was
 *     stored, or metadata written for a bare module)
 * @param height input height the graph was built for
 * @param width input width
 * @param preprocessing the evaluation transform serving_bytes applies
 * @param numClasses logits width
 * @param featureDim pooled feature width
 * @param parameters learnable parameter count
 * @param source where the weights came from (checkpoint file name), may be empty
 * @param variables every variable of the graph, in creation order
 */
public record ExportMetadata(
    String arch,
    String model,
    ModelConfig config,
    long height,
    long width,
    Preprocessing preprocessing,
    int numClasses,
    int featureDim,
    long parameters,
    String source,
    List<Variable> variables) {

  /** The JSON format tag; a reader refuses other major versions. */
  public static final String FORMAT = "tfhybrid-savedmodel/1";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One variable: its key (= TF op name = checkpoint key), torch shape, layout and kind. */
  public record Variable(
      String key, long[] torchShape, Layout layout, DType dtype, ParamSpec.Kind kind) {
    /** Copies the shape. */
    public Variable {
      torchShape = torchShape.clone();
    }

    /** The torch shape (a copy). */
    @Override
    public long[] torchShape() {
      return torchShape.clone();
    }
  }

  /** Copies the variable list. */
  public ExportMetadata {
    variables = List.copyOf(variables);
  }

  /** The metadata of a built model about to be exported. */
  public static ExportMetadata of(BuiltModel model, Preprocessing preprocessing, String source) {
    List<Variable> vars = new ArrayList<>();
    for (ParamSpec s : model.root().variableSpec()) {
      vars.add(new Variable(s.key(), s.torchShape(), s.layout(), s.dtype(), s.kind()));
    }
    return new ExportMetadata(
        model.root().arch().id(),
        model.name(),
        null,
        model.height(),
        model.width(),
        preprocessing,
        model.root().numClasses(),
        model.root().featureDim(),
        model.root().parameterCount(),
        source == null ? "" : source,
        vars);
  }

  /** The same metadata recording {@code config}, the config the model was built from. */
  public ExportMetadata withConfig(ModelConfig description) {
    return new ExportMetadata(
        arch,
        model,
        description,
        height,
        width,
        preprocessing,
        numClasses,
        featureDim,
        parameters,
        source,
        variables);
  }

  /** Writes the metadata as JSON to {@code file} (creating its directory). */
  public void write(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("arch", arch);
    root.put("model", model);
    if (config != null) {
      root.set("config", ConfigJson.write(config));
      root.put("config_text", config.toString());
    }
    ObjectNode input = root.putObject("input");
    input.put("height", height);
    input.put("width", width);
    input.put("channels", 3);
    input.put("layout", "NHWC");
    input.put("values", "RGB 0-255 (serving_default, features); encoded JPEG/PNG (serving_bytes)");
    ObjectNode p = root.putObject("preprocessing");
    p.put("interpolation", preprocessing.interpolation().name());
    p.put("crop_mode", preprocessing.cropMode().name());
    p.put("resize_height", preprocessing.resizeHeight());
    p.put("resize_width", preprocessing.resizeWidth());
    p.put("crop_height", preprocessing.cropHeight());
    p.put("crop_width", preprocessing.cropWidth());
    ArrayNode mean = p.putArray("mean");
    preprocessing.mean().forEach(mean::add);
    ArrayNode std = p.putArray("std");
    preprocessing.std().forEach(std::add);
    root.put("num_classes", numClasses);
    root.put("feature_dim", featureDim);
    root.put("parameters", parameters);
    root.put("source", source);
    ArrayNode vars = root.putArray("variables");
    for (Variable v : variables) {
      ObjectNode n = vars.addObject();
      n.put("key", v.key());
      ArrayNode shape = n.putArray("torch_shape");
      for (long d : v.torchShape()) {
        shape.add(d);
      }
      n.put("layout", v.layout().name());
      n.put("dtype", v.dtype().name());
      n.put("kind", v.kind().name());
    }
    Files.createDirectories(file.getParent());
    JSON.writeValue(file.toFile(), root);
  }

  /** Reads a metadata file; a wrong format tag or a missing field is an {@link IOException}. */
  public static ExportMetadata read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    String format = text(root, "format", file);
    if (!format.equals(FORMAT)) {
      throw new IOException(
          "'"
              + file
              + "': format '"
              + format
              + "', expected '"
              + FORMAT
              + "' (written by another tfhybrid version?)");
    }
    JsonNode p = node(root, "preprocessing", file);
    List<Float> mean = new ArrayList<>();
    node(p, "mean", file).forEach(x -> mean.add(x.floatValue()));
    List<Float> std = new ArrayList<>();
    node(p, "std", file).forEach(x -> std.add(x.floatValue()));
    Preprocessing pre =
        new Preprocessing(
            Preprocessing.Interpolation.valueOf(text(p, "interpolation", file)),
            Preprocessing.CropMode.valueOf(text(p, "crop_mode", file)),
            node(p, "resize_height", file).asInt(),
            node(p, "resize_width", file).asInt(),
            node(p, "crop_height", file).asInt(),
            node(p, "crop_width", file).asInt(),
            mean,
            std);
    List<Variable> vars = new ArrayList<>();
    for (JsonNode v : node(root, "variables", file)) {
      JsonNode s = node(v, "torch_shape", file);
      long[] shape = new long[s.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = s.get(i).asLong();
      }
      vars.add(
          new Variable(
              text(v, "key", file),
              shape,
              Layout.valueOf(text(v, "layout", file)),
              DType.valueOf(text(v, "dtype", file)),
              ParamSpec.Kind.valueOf(text(v, "kind", file))));
    }
    JsonNode input = node(root, "input", file);
    return new ExportMetadata(
        text(root, "arch", file),
        text(root, "model", file),
        config(root, file),
        node(input, "height", file).asLong(),
        node(input, "width", file).asLong(),
        pre,
        node(root, "num_classes", file).asInt(),
        node(root, "feature_dim", file).asInt(),
        node(root, "parameters", file).asLong(),
        text(root, "source", file),
        vars);
  }

  /** The config object, read back into its record; null when the file has none. */
  private static ModelConfig config(JsonNode root, Path file) throws IOException {
    JsonNode c = root.get("config");
    if (c == null || !c.isObject()) {
      return null;
    }
    String archId = text(root, "arch", file);
    Arch arch;
    try {
      arch = Arch.of(archId);
    } catch (IllegalArgumentException e) {
      throw new IOException("'" + file + "': unknown family '" + archId + "'", e);
    }
    try {
      return ConfigJson.read(arch, c);
    } catch (IOException e) {
      throw new IOException("'" + file + "': " + e.getMessage(), e);
    }
  }

  private static JsonNode node(JsonNode parent, String field, Path file) throws IOException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw new IOException("'" + file + "': field '" + field + "' is missing");
    }
    return n;
  }

  private static String text(JsonNode parent, String field, Path file) throws IOException {
    return node(parent, field, file).asText();
  }
}
