package io.tfhybrid.interop.detect;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.Detection;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.interop.TfHybridException;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.ParamSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the model for a checkpoint: by registry id ({@code --model ID}) or from its keys and
 * torch shapes ({@code --model auto}). Detection asks the registry first (every variant's
 * state_dict layout, with the head resized when only the class count differs), then each family's
 * own detection ({@link Models#detect(Map)}: the configuration read off the keys and shapes, with
 * what was detected and why), and fails with the closest variant's diagnosis. Nothing here is
 * specific to one family.
 */
public final class ModelDetector {
  private ModelDetector() {}

  /**
   * The registry variant {@code id}, optionally with another class count.
   *
   * @param numClasses the classifier width, or null for the variant's
   * @throws TfHybridException for an unknown id
   */
  public static ModelChoice byId(String id, Integer numClasses) {
    Variant<?> v;
    try {
      v = Models.variant(id);
    } catch (IllegalArgumentException e) {
      throw new TfHybridException(
          "unknown model '" + id + "'",
          "'auto' or a variant id",
          "'" + id + "'",
          "tfhybrid list shows every id, e.g. "
              + Models.all().stream().limit(3).map(Variant::id).toList());
    }
    ModelConfig c = v.config();
    List<Reason> why = new ArrayList<>();
    why.add(Reason.stated(Reason.MODEL, "variant '" + v.id() + "' (--model)"));
    if (numClasses != null && numClasses != c.numClasses()) {
      c = withNumClasses(c, numClasses);
      why.add(Reason.stated(Reason.NUM_CLASSES, numClasses + " classes (--num-classes)"));
    }
    return new ModelChoice(v.arch(), v.id(), c, v.height(), v.width(), v.preprocessing(), why);
  }

  /**
   * How a checkpoint compares with one state_dict layout.
   *
   * @param keys keys the layout declares
   * @param matched declared keys the checkpoint has
   * @param missing declared keys the checkpoint lacks
   * @param unexpected checkpoint keys the layout does not declare
   * @param shapeDiffers keys present in both with other torch shapes
   */
  public record Match(
      int keys,
      int matched,
      List<String> missing,
      List<String> unexpected,
      List<String> shapeDiffers) {
    /** Whether the checkpoint has exactly the declared keys and shapes. */
    public boolean exact() {
      return missing.isEmpty() && unexpected.isEmpty() && shapeDiffers.isEmpty();
    }

    /** Higher is closer: shared keys with equal shapes, minus everything that does not fit. */
    public int score() {
      return matched - shapeDiffers.size() - missing.size() - unexpected.size();
    }

    /** {@code "12 of 14 keys present, 2 missing, ..."}. */
    public String describe() {
      return matched
          + " of "
          + keys
          + " keys present, "
          + missing.size()
          + " missing, "
          + unexpected.size()
          + " unexpected, "
          + shapeDiffers.size()
          + " with other shapes";
    }
  }

  private static final Map<String, List<ParamSpec>> SPECS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A registry variant's state_dict layout (cached: building large modules takes a while). */
  private static List<ParamSpec> specOf(Variant<?> v) {
    return SPECS.computeIfAbsent(v.id(), id -> v.config().createModule().stateDictSpec());
  }

  /** How a checkpoint's keys and torch shapes compare with a state_dict layout. */
  public static Match compare(List<ParamSpec> spec, Map<String, long[]> shapes) {
    List<String> missing = new ArrayList<>();
    List<String> differs = new ArrayList<>();
    int matched = 0;
    for (ParamSpec s : spec) {
      long[] found = shapes.get(s.key());
      if (found == null) {
        missing.add(s.key());
      } else {
        matched++;
        if (!Arrays.equals(found, s.torchShape())) {
          differs.add(s.key());
        }
      }
    }
    List<String> unexpected = new ArrayList<>();
    java.util.Set<String> declared = new java.util.HashSet<>();
    spec.forEach(s -> declared.add(s.key()));
    shapes.keySet().stream().filter(k -> !declared.contains(k)).forEach(unexpected::add);
    return new Match(spec.size(), matched, missing, unexpected, differs);
  }

  /**
   * Detects family, variant and flags from a checkpoint's keys and torch shapes.
   *
   * @param source the checkpoint's file name, for messages
   * @param numClasses {@code --num-classes}, or null
   * @throws TfHybridException when no registered variant and no family's detection fits, naming
   *     the closest variant and its diagnosis
   */
  public static ModelChoice detect(String source, Map<String, long[]> shapes, Integer numClasses) {
    Variant<?> closest = null;
    Match closestMatch = null;
    List<Variant<?>> exact = new ArrayList<>();
    Map<Variant<?>, ModelConfig> configs = new LinkedHashMap<>();
    for (Variant<?> v : Models.all()) {
      ModelConfig c = numClasses == null ? v.config() : withNumClasses(v.config(), numClasses);
      Match m = compare(numClasses == null ? specOf(v) : c.createModule().stateDictSpec(), shapes);
      if (!m.exact() && m.missing().isEmpty() && m.unexpected().isEmpty() && numClasses == null) {
        // Only the head differs? Then it is this variant with another class count.
        Optional<Integer> classes = headClasses(c, shapes, m);
        if (classes.isPresent()) {
          ModelConfig resized = withNumClasses(c, classes.get());
          if (compare(resized.createModule().stateDictSpec(), shapes).exact()) {
            c = resized;
            m = compare(resized.createModule().stateDictSpec(), shapes);
          }
        }
      }
      configs.put(v, c);
      if (m.exact()) {
        exact.add(v);
      }
      if (closestMatch == null || m.score() > closestMatch.score()) {
        closest = v;
        closestMatch = m;
      }
    }
    if (!exact.isEmpty()) {
      Variant<?> v = exact.get(0);
      ModelConfig c = configs.get(v);
      List<Reason> why = new ArrayList<>();
      why.add(
          Reason.matched(
          Reason.MODEL,
          "all "
              + shapes.size()
              + " keys and torch shapes match "
              + v.arch().displayName()
              + " variant '"
              + v.id()
              + "'"));
      if (c.numClasses() != v.config().numClasses()) {
        why.add(
            new Reason(
            numClasses != null ? Reason.Kind.STATED : Reason.Kind.READ,
            Reason.NUM_CLASSES,
            "its classifier has "
                + c.numClasses()
                + " classes instead of "
                + v.config().numClasses()
                + (numClasses != null ? " (--num-classes)" : " (read from the head's shapes)")));
      }
      if (exact.size() > 1) {
        why.add(
            Reason.note(
            Reason.MODEL,
            "the same weights also fit "
                + exact.subList(1, exact.size()).stream().map(Variant::id).toList()
                + " (other resolutions or flags that no key shows):"
                + " pass --model to choose; taking the first"));
      }
      return new ModelChoice(v.arch(), v.id(), c, v.height(), v.width(), v.preprocessing(), why);
    }
    // No registry variant: ask the families, the closest variant's first, to infer a configuration.
    List<Detection<?>> inferred = Models.detect(shapes);
    for (Arch arch : familiesByCloseness(closest)) {
      for (Detection<?> inf : inferred) {
        if (inf.arch() == arch) {
          Optional<ModelChoice> choice = choice(inf, shapes, numClasses);
          if (choice.isPresent()) {
            return choice.get();
          }
        }
      }
    }
    ClassifierModel near = configs.get(closest).createModule();
    Optional<String> unsupported = near.unsupportedCheckpoint(shapes);
    List<String> hints = new ArrayList<>(near.diagnose(shapes));
    unsupported.ifPresent(u -> hints.add(0, u));
    hints.add("pass --model ID to load it into a variant and see every problem (tfhybrid list)");
    throw new TfHybridException(
        "cannot detect the model of '" + source + "'",
        "the keys and torch shapes of a registered variant (or of a family that infers its"
            + " configuration)",
        shapes.size()
            + " keys; closest is "
            + closest.arch().displayName()
            + " '"
            + closest.id()
            + "': "
            + closestMatch.describe()
            + examples(closestMatch),
        String.join("; ", hints));
  }

  private static String examples(Match m) {
    List<String> parts = new ArrayList<>();
    if (!m.missing().isEmpty()) {
      parts.add("missing e.g. '" + m.missing().get(0) + "'");
    }
    if (!m.unexpected().isEmpty()) {
      parts.add("unexpected e.g. '" + m.unexpected().get(0) + "'");
    }
    if (!m.shapeDiffers().isEmpty()) {
      parts.add("shape differs e.g. '" + m.shapeDiffers().get(0) + "'");
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }

  /** The closest variant's family first, then the others in registry order. */
  private static List<Arch> familiesByCloseness(Variant<?> closest) {
    List<Arch> out = new ArrayList<>();
    if (closest != null) {
      out.add(closest.arch());
    }
    for (Variant<?> v : Models.all()) {
      if (!out.contains(v.arch())) {
        out.add(v.arch());
      }
    }
    return out;
  }

  /**
   * The model for a family's inference: its config (with {@code --num-classes} applied, which must
   * still declare exactly the checkpoint's keys and shapes), its input size, the evaluation
   * transform of the family's first variant at that size, and the inference's reasons.
   */
  private static Optional<ModelChoice> choice(
      Detection<?> inf, Map<String, long[]> shapes, Integer numClasses) {
    ModelConfig c = numClasses == null ? inf.config() : withNumClasses(inf.config(), numClasses);
    if (c != inf.config() && !compare(c.createModule().stateDictSpec(), shapes).exact()) {
      return Optional.empty();
    }
    List<Variant<?>> family = Models.of(inf.arch());
    if (family.isEmpty()) {
      return Optional.empty();
    }
    Variant<?> first = family.get(0);
    List<Reason> why = new ArrayList<>();
    why.add(configReason(inf.arch(), c));
    why.addAll(inf.reasons());
    if (c.numClasses() != inf.config().numClasses()) {
      why.add(Reason.stated(Reason.NUM_CLASSES, numClasses + " classes (--num-classes)"));
    }
    why.add(
        Reason.assumed(
            Reason.TRANSFORM,
            "the evaluation transform of '"
                + first.id()
                + "' (the family's first variant) at "
                + inf.height()
                + "x"
                + inf.width()
                + "; --size changes the input"));
    return Optional.of(
        new ModelChoice(
            inf.arch(),
            inf.arch().id() + "_inferred",
            c,
            inf.height(),
            inf.width(),
            first.preprocessing().forCrop(inf.height(), inf.width()),
            why));
  }

  /**
   * The reason that names a configuration read off a checkpoint by its family's detection (the
   * configuration printed as its record prints).
   */
  static Reason configReason(Arch arch, ModelConfig c) {
    return Reason.read(
        Reason.MODEL,
        "no registered variant has these keys and shapes; the "
            + arch.displayName()
            + " inference read the configuration from them: "
            + c);
  }

  /** The class count the checkpoint's head implies, when only dim 0 of some tensors differs. */
  private static Optional<Integer> headClasses(ModelConfig c, Map<String, long[]> shapes, Match m) {
    Map<String, ParamSpec> spec = new LinkedHashMap<>();
    c.createModule().stateDictSpec().forEach(s -> spec.put(s.key(), s));
    Integer classes = null;
    for (String k : m.shapeDiffers()) {
      long[] want = spec.get(k).torchShape();
      long[] got = shapes.get(k);
      if (want.length != got.length || want.length == 0 || want[0] != c.numClasses()) {
        return Optional.empty();
      }
      for (int i = 1; i < want.length; i++) {
        if (want[i] != got[i]) {
          return Optional.empty();
        }
      }
      if (classes != null && classes != got[0]) {
        return Optional.empty();
      }
      classes = (int) got[0];
    }
    return Optional.ofNullable(classes);
  }

  /** {@code config.withNumClasses(n)} for {@code --num-classes}, which must be positive. */
  public static ModelConfig withNumClasses(ModelConfig config, int n) {
    Checks.checkArg(n > 0, "--num-classes must be positive, found %s", n);
    return config.numClasses() == n ? config : config.withNumClasses(n);
  }
}
