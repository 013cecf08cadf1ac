package io.tfhybrid.interop.detect;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConfig;
import io.tfhybrid.arch.contnet.ContNetConfig;
import io.tfhybrid.arch.contnet.ContNetFlags;
import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.cvt.CvtVariants;
import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.TfHybridException;
import io.tfhybrid.interop.hub.TimmConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A model to build for a checkpoint: family, name, config, input size, evaluation transform, and
 * the reasons it was chosen ({@link ModelDetector} says what it detected and why). The {@code
 * with...} methods apply what a checkpoint cannot show (an input size, ConTNet's {@code pre_norm},
 * CvT's MLP activation) and keep the reasons in step.
 *
 * @param arch the family
 * @param name the variant id ({@code conv2former_n_224}), or {@code <family>_inferred} for a
 *     configuration read off the checkpoint
 * @param config the configuration to build
 * @param height input height the graph is built for
 * @param width input width
 * @param preprocessing the evaluation transform at this input size
 * @param reasons what was decided and why, in order
 */
public record ModelChoice(
    Arch arch,
    String name,
    ModelConfig config,
    int height,
    int width,
    Preprocessing preprocessing,
    List<Reason> reasons) {

  /** Copies the reasons. */
  public ModelChoice {
    reasons = List.copyOf(reasons);
  }

  /** The root module of {@link #config()} (declares every state_dict key; no TF needed). */
  public ClassifierModel createModule() {
    return config.createModule();
  }

  /** The reasons' texts, in order (the {@code why:} lines of the command line). */
  public List<String> reasonTexts() {
    return reasons.stream().map(Reason::text).toList();
  }

  /**
   * The same model at another input size: checked by the model, preprocessing rescaled.
   *
   * @throws TfHybridException when the model cannot run at that size
   */
  public ModelChoice atSize(int h, int w) {
    if (h == height && w == width) {
      return this;
    }
    ModelConfig sized;
    try {
      // Families whose construction depends on the size (timm's CoAtNet) rebuild for it.
      sized = config.forInputSize(h, w);
      sized.createModule().checkInputSize(h, w);
    } catch (IllegalArgumentException e) {
      throw new TfHybridException(
          "input size " + h + "x" + w + " for '" + name + "'",
          "a size the model accepts",
          h + "x" + w + " (" + e.getMessage() + ")",
          "tfhybrid list shows legal sizes");
    }
    List<Reason> why = new ArrayList<>(reasons);
    why.removeIf(r -> r.isAbout(Reason.INPUT_SIZE) && r.kind() == Reason.Kind.STATED);
    why.add(
        Reason.stated(
            Reason.INPUT_SIZE,
            "input " + h + "x" + w + " instead of the default " + height + "x" + width));
    return new ModelChoice(arch, name, sized, h, w, preprocessing.forCrop(h, w), why);
  }

  /**
   * The model timm's config.json describes (a hub folder's, or one beside the weights): its
   * architecture with {@code model_args}, class count and input size, and the evaluation transform
   * of its {@code pretrained_cfg}.
   *
   * @param numClasses another class count, or null
   * @throws TfHybridException when the config names no buildable timm CoAtNet
   */
  public static ModelChoice fromTimmConfig(TimmConfig t, Integer numClasses) {
    CoAtNetTimmConfig c;
    try {
      c = t.modelConfig();
    } catch (IllegalArgumentException e) {
      throw new TfHybridException(
          "cannot build the model of '" + t.file() + "'",
          "a timm CoAtNet config.json",
          e.getMessage(),
          "--model ID ignores config.json (tfhybrid list shows the ids)");
    }
    List<Reason> why = new ArrayList<>();
    why.add(
        Reason.read(
            Reason.MODEL,
            "timm config.json '"
                + t.file()
                + "': architecture "
                + t.architecture()
                + (t.modelArgs().isEmpty() ? "" : " with model_args " + t.modelArgs())));
    why.add(
        Reason.read(
            Reason.INPUT_SIZE,
            "input " + c.height() + "x" + c.width() + ": config.json's pretrained_cfg.input_size"));
    why.add(Reason.read(Reason.NUM_CLASSES, c.numClasses() + " classes: config.json"));
    if (numClasses != null && numClasses != c.numClasses()) {
      c = c.withNumClasses(numClasses);
      why.add(Reason.stated(Reason.NUM_CLASSES, numClasses + " classes (--num-classes)"));
    }
    Preprocessing p = t.preprocessing(c);
    why.add(
        Reason.read(
            Reason.TRANSFORM,
            "evaluation transform from config.json's pretrained_cfg: "
                + t.interpolation().name().toLowerCase(java.util.Locale.ROOT)
                + ", crop_pct "
                + t.cropPct()
                + " "
                + t.cropMode().name().toLowerCase(java.util.Locale.ROOT)
                + " → resize "
                + p.resizeHeight()
                + (p.resizeWidth() == p.resizeHeight() ? "" : "x" + p.resizeWidth())
                + ", crop "
                + p.cropHeight()
                + "x"
                + p.cropWidth()
                + ", mean "
                + p.mean()
                + ", std "
                + p.std()));
    return new ModelChoice(Arch.COATNET_TIMM, t.modelName(), c, c.height(), c.width(), p, why);
  }

  /**
   * The same ConTNet built with {@code pre_norm=True} ({@code --pre-norm}): the one ConTNet flag no
   * checkpoint shows (pre- and post-norm nets have the same keys and shapes).
   *
   * @throws TfHybridException for another family
   */
  public ModelChoice withPreNorm() {
    if (!(config instanceof ContNetConfig c)) {
      throw new TfHybridException(
          "--pre-norm for " + arch.displayName() + " '" + name + "'",
          "a ConTNet model (pre_norm is a ConTNet build flag)",
          arch.displayName(),
          "leave --pre-norm out");
    }
    return rebuilt(
        c.withPreNorm(true),
        ContNetFlags.PRE_NORM,
        Reason.stated(
            ContNetFlags.PRE_NORM,
            "pre_norm=True: --pre-norm (not visible in a checkpoint; the official default is"
                + " False)"));
  }

  /**
   * The same CvT with another MLP activation ({@code --gelu}): the weights do not show it.
   * QuickGELU is the official model's (and the default of every CvT choice); the exact GELU
   * reproduces Hugging Face's Python CvT, which runs the same weights with it.
   *
   * @throws TfHybridException for another family
   */
  public ModelChoice withMlpActivation(GeluKind kind) {
    if (!(config instanceof CvtConfig c)) {
      throw new TfHybridException(
          "--gelu for " + arch.displayName() + " '" + name + "'",
          "a CvT model (the MLP activation is a CvT build choice)",
          arch.displayName(),
          "leave --gelu out");
    }
    return rebuilt(
        c.withMlpActivation(kind),
        CvtVariants.MLP_ACTIVATION,
        Reason.stated(
            CvtVariants.MLP_ACTIVATION,
            kind == GeluKind.ERF
                ? "MLP activation exact GELU: --gelu erf (reproduces Hugging Face's Python CvT;"
                    + " the official model runs the same weights with QuickGELU)"
                : "MLP activation QuickGELU: --gelu quick (the official model's)"));
  }

  /**
   * The same model with another config: reasons about {@code subject} are replaced by {@code
   * stated}, and the reason that describes the configuration describes the new one.
   */
  private ModelChoice rebuilt(ModelConfig built, String subject, Reason stated) {
    UnaryOperator<Reason> describe =
        r ->
            r.isAbout(Reason.MODEL) && r.kind() == Reason.Kind.READ
                ? ModelDetector.configReason(arch, built)
                : r;
    List<Reason> why = new ArrayList<>();
    reasons.stream().filter(r -> !r.isAbout(subject)).map(describe).forEach(why::add);
    why.add(stated);
    return new ModelChoice(arch, name, built, height, width, preprocessing, why);
  }
}
