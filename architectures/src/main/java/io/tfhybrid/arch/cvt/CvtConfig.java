package io.tfhybrid.arch.cvt;

import static io.tfhybrid.arch.golden.FixtureJson.field;
import static io.tfhybrid.arch.golden.FixtureJson.intField;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.golden.FixtureJson;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A CvT model: its stages (officially three), the class count and the MLP activation.
 *
 * <p>{@code mlpActivation} chooses the forward pass, not the weights (see {@link GeluKind}):
 * keep {@link GeluKind#QUICK} (the default of every registry variant) for official checkpoints
 * and to reproduce the official model; pick {@link GeluKind#ERF} with
 * {@link #withMlpActivation} only to reproduce Hugging Face's Python ports, which use the exact
 * GELU.
 *
 * @param stages stage configs in order; the last stage's {@code clsToken} picks the head
 *     (class token → LayerNorm → head, else LayerNorm on every token → mean → head)
 * @param numClasses classifier outputs; 0 means no head (the reference's {@code nn.Identity})
 * @param mlpActivation QuickGELU (official) or exact GELU (Hugging Face's ports)
 */
public record CvtConfig(List<CvtStageConfig> stages, int numClasses, GeluKind mlpActivation)
    implements ModelConfig {

  /** Input channels: RGB, as in every official model and every fixture. */
  public static final int IN_CHANS = 3;

  /**
   * The config of a reference build: its yaml {@code spec}, class count and MLP activation name
   * ({@code QuickGELU} or {@code GELU}).
   */
  public static CvtConfig fromReference(JsonNode spec, int numClasses, String actLayer) {
    GeluKind act = switch (actLayer) {
      case "QuickGELU" -> GeluKind.QUICK;
      case "GELU" -> GeluKind.ERF;
      default -> throw new IllegalArgumentException(
          "act_layer: expected QuickGELU or GELU, found " + actLayer);
    };
    return fromReferenceSpec(FixtureJson.map(spec), numClasses, act);
  }

  /** The config a golden case was generated with: its metadata's {@code build} object. */
  public static CvtConfig fromFixture(JsonNode metadata) {
    JsonNode build = field(metadata, "build");
    Checks.checkArg(intField(build, "in_chans") == IN_CHANS, "in_chans: expected %s, found %s",
        IN_CHANS, build.get("in_chans"));
    return fromReference(field(build, "spec"), intField(build, "num_classes"),
        field(build, "act_layer").asText());
  }

  public CvtConfig {
    Checks.checkArg(stages != null && !stages.isEmpty(), "a CvT needs at least one stage");
    stages = List.copyOf(stages);
    Checks.nonNegative(numClasses, "numClasses");
    Checks.checkArg(mlpActivation != null, "mlpActivation must be set (GeluKind.QUICK for official"
        + " weights)");
  }

  /** QuickGELU, as the official factory builds it. */
  public CvtConfig(List<CvtStageConfig> stages, int numClasses) {
    this(stages, numClasses, GeluKind.QUICK);
  }

  @Override
  public Cvt createModule() {
    return new Cvt(this);
  }

  public CvtConfig withNumClasses(int n) {
    return new CvtConfig(stages, n, mlpActivation);
  }

  /** The same weights with another MLP activation (see {@link GeluKind} for which to use when). */
  public CvtConfig withMlpActivation(GeluKind activation) {
    return new CvtConfig(stages, numClasses, activation);
  }

  public CvtConfig withStages(List<CvtStageConfig> newStages) {
    return new CvtConfig(newStages, numClasses, mlpActivation);
  }

  /** Applies {@code change} to every stage (e.g. {@code s -> s.withDepth(1)} for tiny tests). */
  public CvtConfig withEachStage(UnaryOperator<CvtStageConfig> change) {
    return withStages(stages.stream().map(change).toList());
  }

  /** Width of the last stage (the classifier's input). */
  public int lastDim() {
    return stages.get(stages.size() - 1).dimEmbed();
  }

  /** Whether the head reads the last stage's class token (else it mean-pools normalized tokens). */
  public boolean headUsesClassToken() {
    return stages.get(stages.size() - 1).clsToken();
  }

  /**
   * Parses the reference's {@code MODEL.SPEC} (the yacs yaml of microsoft/CvT, or the
   * {@code build.spec} object of a golden case's config.json, as JSON-like maps and lists) into a
   * config. Keys read: {@code NUM_STAGES}, {@code PATCH_SIZE}, {@code PATCH_STRIDE},
   * {@code PATCH_PADDING}, {@code DIM_EMBED}, {@code DEPTH}, {@code NUM_HEADS}, {@code MLP_RATIO},
   * {@code QKV_BIAS}, {@code CLS_TOKEN}, {@code QKV_PROJ_METHOD}, {@code KERNEL_QKV},
   * {@code PADDING_Q}, {@code STRIDE_Q}, {@code PADDING_KV}, {@code STRIDE_KV}. {@code INIT},
   * drop rates (inference no-ops) and {@code POS_EMBED} (the model never reads it) are ignored.
   * This is a boundary conversion from the reference's format; inside the project configs are
   * records.
   */
  public static CvtConfig fromReferenceSpec(Map<String, ?> spec, int numClasses, GeluKind act) {
    int n = intValue(spec, "NUM_STAGES", get(spec, "NUM_STAGES"));
    List<CvtStageConfig> stages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      stages.add(new CvtStageConfig(
          intAt(spec, "PATCH_SIZE", i, n),
          intAt(spec, "PATCH_STRIDE", i, n),
          intAt(spec, "PATCH_PADDING", i, n),
          intAt(spec, "DIM_EMBED", i, n),
          intAt(spec, "DEPTH", i, n),
          intAt(spec, "NUM_HEADS", i, n),
          ((Number) at(spec, "MLP_RATIO", i, n, Number.class)).doubleValue(),
          (Boolean) at(spec, "QKV_BIAS", i, n, Boolean.class),
          (Boolean) at(spec, "CLS_TOKEN", i, n, Boolean.class),
          ProjMethod.fromReference((String) at(spec, "QKV_PROJ_METHOD", i, n, String.class)),
          intAt(spec, "KERNEL_QKV", i, n),
          intAt(spec, "PADDING_Q", i, n),
          intAt(spec, "STRIDE_Q", i, n),
          intAt(spec, "PADDING_KV", i, n),
          intAt(spec, "STRIDE_KV", i, n)));
    }
    return new CvtConfig(stages, numClasses, act);
  }

  private static Object get(Map<String, ?> spec, String key) {
    Object v = spec.get(key);
    Checks.checkArg(v != null, "CvT MODEL.SPEC has no '%s' (keys: %s)", key, spec.keySet());
    return v;
  }

  private static int intAt(Map<String, ?> spec, String key, int i, int n) {
    return intValue(spec, key, at(spec, key, i, n, Number.class));
  }

  private static int intValue(Map<String, ?> spec, String key, Object v) {
    Checks.checkArg(v instanceof Number num && num.doubleValue() == num.intValue(),
        "CvT MODEL.SPEC '%s': expected an integer, found %s", key, v);
    return ((Number) v).intValue();
  }

  private static Object at(Map<String, ?> spec, String key, int i, int n, Class<?> type) {
    Object v = get(spec, key);
    Checks.checkArg(v instanceof List<?> l && l.size() == n,
        "CvT MODEL.SPEC '%s': expected a list with one entry per stage (%s), found %s", key, n, v);
    Object e = ((List<?>) v).get(i);
    Checks.checkArg(type.isInstance(e), "CvT MODEL.SPEC '%s'[%s]: expected a %s, found %s", key, i,
        type.getSimpleName(), e);
    return e;
  }
}
