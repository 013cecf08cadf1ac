package io.tfhybrid.arch.contnet;

import static io.tfhybrid.arch.golden.FixtureJson.field;
import static io.tfhybrid.arch.golden.FixtureJson.intField;
import static io.tfhybrid.arch.golden.FixtureJson.ints;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.nn.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hyper-parameters of the reference's {@code ConTNet(block=ConTBlock, layers, mlp_dim, head_num,
 * dropout, inplanes, num_classes, **flags)} (yan-hao-tian/ConTNet@a3699f4, spec §2–3). The official
 * nets have 4 stages; any number ≥ 1 is accepted, as the reference's stage loop is generic (the
 * fixtures use 2 and 3). Every stage but the last is a stride-2 stage with patches [7, 14]; the
 * last is the stride-1 stage with patches [7, 7]. Dropout rates are training-only and not
 * represented.
 *
 * @param inplanes stem width C0 (stage i has planes C0·2^i)
 * @param layers ConT blocks per stage
 * @param mlpDim MLP hidden width per stage (not a fixed ratio: Ti uses 196, 392, 768, 768)
 * @param headNum attention heads per stage
 * @param numClasses classifier outputs
 * @param flags build flags; {@link ContNetFlags#OFFICIAL} for the released checkpoints
 */
public record ContNetConfig(
    int inplanes,
    List<Integer> layers,
    List<Integer> mlpDim,
    List<Integer> headNum,
    int numClasses,
    ContNetFlags flags)
    implements ModelConfig {

  /** Input channels (RGB); the reference's {@code in_channels} is 3 for every variant. */
  public static final int IN_CHANNELS = 3;

  /** eps of every BatchNorm2d and LayerNorm (PyTorch defaults). */
  public static final float BN_EPS = 1e-5f;

  public static final float LN_EPS = 1e-5f;

  /** Patch side of ste1 everywhere and of ste2 in the last stage. */
  public static final int PATCH_SMALL = 7;

  /** Patch side of ste2 in the stride-2 stages. */
  public static final int PATCH_LARGE = 14;

  /**
   * The config of a reference constructor call: its {@code hyper_parameters} ({@code inplanes},
   * {@code layers}, {@code mlp_dim}, {@code head_num}, {@code num_classes}) and build {@code flags}.
   */
  public static ContNetConfig fromReference(JsonNode hyperParameters, JsonNode flags) {
    ContNetFlags f = new ContNetFlags(field(flags, "use_avgdown").asBoolean(),
        field(flags, "relative").asBoolean(), field(flags, "qkv_bias").asBoolean(),
        field(flags, "pre_norm").asBoolean());
    return new ContNetConfig(intField(hyperParameters, "inplanes"),
        ints(field(hyperParameters, "layers")), ints(field(hyperParameters, "mlp_dim")),
        ints(field(hyperParameters, "head_num")), intField(hyperParameters, "num_classes"), f);
  }

  /** The config a golden case was generated with: {@code hyper_parameters} and {@code flags}. */
  public static ContNetConfig fromFixture(JsonNode metadata) {
    return fromReference(field(metadata, "hyper_parameters"), field(metadata, "flags"));
  }

  public ContNetConfig {
    layers = List.copyOf(layers);
    mlpDim = List.copyOf(mlpDim);
    headNum = List.copyOf(headNum);
    Checks.checkArg(flags != null, "flags must not be null (use ContNetFlags.OFFICIAL)");
    Checks.positive(inplanes, "inplanes");
    Checks.checkArg(
        !layers.isEmpty() && layers.size() == mlpDim.size() && layers.size() == headNum.size(),
        "layers %s, mlpDim %s and headNum %s must be non-empty and have one entry per stage",
        layers,
        mlpDim,
        headNum);
    Checks.checkArg(layers.size() <= 16, "at most 16 stages, found %s", layers.size());
    layers.forEach(n -> Checks.positive(n, "layers"));
    mlpDim.forEach(n -> Checks.positive(n, "mlpDim"));
    headNum.forEach(n -> Checks.positive(n, "headNum"));
    Checks.positive(numClasses, "numClasses");
    // Parity quirk: the absolute PE adds a row embedding to channels [0, C/2) and a column
    // embedding to [C/2, C), so every STE width must be even (only stage 1 can be odd).
    Checks.checkArg(
        flags.relative() || inplanes % 2 == 0,
        "inplanes (%s) must be even with absolute position embeddings (relative=False): the PE is"
            + " split into two channel halves",
        inplanes);
    for (int i = 0; i < layers.size(); i++) {
      long planes = (long) inplanes << i;
      Checks.checkArg(
          planes <= Integer.MAX_VALUE / 2, "layer%s is too wide: %s planes", i + 1, planes);
      Checks.checkArg(
          planes % headNum.get(i) == 0,
          "layer%s: planes inplanes·2^%s = %s must be divisible by headNum[%s] = %s",
          i + 1,
          i,
          planes,
          i,
          headNum.get(i));
    }
  }

  /** The official layout: 4 stages, heads [1, 2, 4, 8], official flags. */
  public static ContNetConfig official(int inplanes, List<Integer> layers, List<Integer> mlpDim) {
    return new ContNetConfig(
        inplanes, layers, mlpDim, List.of(1, 2, 4, 8), 1000, ContNetFlags.OFFICIAL);
  }

  public int numStages() {
    return layers.size();
  }

  /** Every stage with its derived widths, heads, patch sizes and stride (spec §2). */
  public List<ContNetStageConfig> stages() {
    List<ContNetStageConfig> out = new ArrayList<>();
    int n = numStages();
    for (int i = 0; i < n; i++) {
      boolean last = i == n - 1;
      // Parity quirk: the last stage has stride 1 and patches [7, 7] (no downsampling).
      out.add(
          new ContNetStageConfig(
              i,
              inplanes << i,
              layers.get(i),
              headNum.get(i),
              mlpDim.get(i),
              PATCH_SMALL,
              last ? PATCH_SMALL : PATCH_LARGE,
              last ? 1 : 2,
              last));
    }
    return out;
  }

  /** Width of the pooled features: 2·C0·2^(N−1) (16·C0 for 4 stages). */
  public int featureDim() {
    return inplanes << numStages();
  }

  /**
   * The multiple that {@code ceil(side / 4)} must be (spec §6): every STE needs its map to be a
   * multiple of its patch, and stage i sees {@code ceil(side/4) / 2^i}: 7·2^(N−1), 56 for 4 stages.
   */
  public long stemMapMultiple() {
    return (long) PATCH_SMALL << (numStages() - 1);
  }

  /** The largest legal side per period: 224 for 4 stages, 112 for 3, 56 for 2. */
  public long sidePeriod() {
    return 4 * stemMapMultiple();
  }

  /**
   * Whether an input side (height or width) can run: {@code ceil(side/4)} a multiple of 7·2^(N−1).
   */
  public boolean isLegalSide(long side) {
    return side > 0 && Math.floorDiv(side + 3, 4) % stemMapMultiple() == 0;
  }

  /** The legal sides in words, e.g. "224k-3 ... 224k (221-224, 445-448, 669-672, ...)". */
  public String legalSides() {
    long p = sidePeriod();
    StringBuilder sb = new StringBuilder();
    sb.append(p).append("k-3 ... ").append(p).append("k for k >= 1 (");
    for (long k = 1; k <= 3; k++) {
      sb.append(k * p - 3).append('-').append(k * p).append(", ");
    }
    return sb.append("...)").toString();
  }

  /** The smallest legal side ≥ {@code side} (where to pad to). */
  public long nextLegalSide(long side) {
    long p = sidePeriod();
    long k = Math.max(1, Math.floorDiv(side + p - 1, p));
    return Math.max(side, k * p - 3);
  }

  public ContNetConfig withNumClasses(int n) {
    return new ContNetConfig(inplanes, layers, mlpDim, headNum, n, flags);
  }

  public ContNetConfig withFlags(ContNetFlags f) {
    return new ContNetConfig(inplanes, layers, mlpDim, headNum, numClasses, f);
  }

  /** pre_norm is invisible in a checkpoint: the one flag a user must state. */
  public ContNetConfig withPreNorm(boolean preNorm) {
    return withFlags(flags.withPreNorm(preNorm));
  }

  public ContNetConfig withHeadNum(List<Integer> h) {
    return new ContNetConfig(inplanes, layers, mlpDim, h, numClasses, flags);
  }

  /** The same net ignoring class count and flags (what identifies an official variant). */
  public boolean sameTopology(ContNetConfig o) {
    return inplanes == o.inplanes
        && layers.equals(o.layers)
        && mlpDim.equals(o.mlpDim)
        && headNum.equals(o.headNum);
  }

  /** The topology in words: "inplanes 48, layers [1, 1, 1, 1], mlp_dim [...], head_num [...]". */
  public String topology() {
    return "inplanes "
        + inplanes
        + ", layers "
        + layers
        + ", mlp_dim "
        + mlpDim
        + ", head_num "
        + headNum;
  }

  @Override
  public ClassifierModel createModule() {
    return new ContNet(this);
  }

  private static final Pattern BLOCK = Pattern.compile("layer(\\d+)\\.ConTBlock(\\d+)\\..+");

  /**
   * Reads a configuration off checkpoint shapes (spec §3): inplanes from {@code
   * layer0.conv.conv.weight}, stages and blocks from the {@code layer<s>.ConTBlock<j>} indices,
   * mlp_dim from {@code fc1}, classes from {@code fc}, the flags via {@link ContNetFlags#detect};
   * heads from the relative tables when present, else the official 2^i (1, 2, 4, 8), which a
   * checkpoint with absolute PE does not reveal. The input size is 224×224 for 4 stages (the
   * official resolution) and otherwise the same rule's side for this stage count: {@link
   * #sidePeriod()}, 4·7·2^(N−1), the smallest legal side that the stem does not round (56 for 2
   * stages, 112 for 3). Empty when the keys are not a ConTNet state_dict.
   */
  public static Optional<Detection<ContNetConfig>> fromCheckpoint(
      Map<String, long[]> checkpointShapes, boolean preNorm) {
    Map<String, long[]> shapes = ContNetFlags.withoutModulePrefix(checkpointShapes);
    long[] stem = shapes.get("layer0.conv.conv.weight");
    long[] fc = shapes.get("fc.weight");
    if (stem == null || stem.length != 4 || fc == null || fc.length != 2) {
      return Optional.empty();
    }
    ContNetFlags.Detection det;
    try {
      det = ContNetFlags.detect(shapes, preNorm);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    TreeMap<Integer, TreeSet<Integer>> blocks = new TreeMap<>();
    for (String k : shapes.keySet()) {
      Matcher m = BLOCK.matcher(k);
      if (m.matches()) {
        blocks
            .computeIfAbsent(Integer.parseInt(m.group(1)), s -> new TreeSet<>())
            .add(Integer.parseInt(m.group(2)));
      }
    }
    int n = blocks.size();
    if (n == 0 || blocks.firstKey() != 1 || blocks.lastKey() != n) {
      return Optional.empty();
    }
    List<Reason> reasons = new ArrayList<>(det.reasons());
    List<Integer> layers = new ArrayList<>();
    List<Integer> mlp = new ArrayList<>();
    List<Integer> heads = new ArrayList<>();
    boolean headsFromTables = true;
    for (int s = 1; s <= n; s++) {
      layers.add(blocks.get(s).last() + 1);
      long[] fc1 = shapes.get("layer" + s + ".ConTBlock0.ste1.mlp.fc1.weight");
      if (fc1 == null || fc1.length != 2) {
        return Optional.empty();
      }
      mlp.add((int) fc1[0]);
      long[] table = shapes.get("layer" + s + ".ConTBlock0.ste1.attn.relative_position_bias_table");
      if (table != null && table.length == 2) {
        heads.add((int) table[1]);
      } else {
        heads.add(1 << (s - 1));
        headsFromTables = false;
      }
    }
    reasons.add(Reason.read("head_num",
        headsFromTables
            ? "head_num=" + heads + ": from the relative tables' second dimension"
            : "head_num="
                + heads
                + ": assumed (the official 2^i; absolute-PE checkpoints do not show heads)"));
    ContNetConfig c;
    try {
      c = new ContNetConfig((int) stem[0], layers, mlp, heads, (int) fc[0], det.flags());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    reasons.add(
        0,
        Reason.read("topology", "inplanes="
            + c.inplanes()
            + ", layers="
            + layers
            + ", mlp_dim="
            + mlp
            + ": 'layer0.conv.conv.weight' is "
            + Checks.shape(stem)
            + ", the 'layer<s>.ConTBlock<j>' indices and the rows of"
            + " 'layer<s>.ConTBlock0.ste1.mlp.fc1.weight'"));
    reasons.add(Reason.read(Reason.NUM_CLASSES,
        "num_classes=" + c.numClasses() + ": 'fc.weight' is " + Checks.shape(fc)));
    int size = (int) c.sidePeriod();
    reasons.add(Reason.assumed(Reason.INPUT_SIZE,
        "input "
            + size
            + "x"
            + size
            + ": "
            + (n == 4
                ? "the official resolution"
                : "the smallest side the stem does not round for " + n + " stages (224 needs 4)")
            + "; the weights do not fix the input size (legal sides "
            + c.legalSides()
            + ")"));
    return Optional.of(Detection.of(Arch.CONTNET, c, size, reasons));
  }

  @Override
  public String toString() {
    return "ContNetConfig(inplanes="
        + inplanes
        + ", layers="
        + layers
        + ", mlp_dim="
        + mlpDim
        + ", head_num="
        + headNum
        + ", num_classes="
        + numClasses
        + ", "
        + flags
        + ")";
  }
}
