package io.tfhybrid.interop.cli;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.contnet.ContNetConfig;
import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.cvt.GeluKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A model to build: family, name, config, input size, evaluation transform, and the reasons it was
 * chosen (what {@code --model auto} detected and why).
 */
record ModelChoice(
    Arch arch,
    String name,
    ModelConfig config,
    int height,
    int width,
    Preprocessing preprocessing,
    List<String> reasons) {

  ModelChoice {
    reasons = List.copyOf(reasons);
  }

  ClassifierModel createModule() {
    return config.createModule();
  }

  /** The same model at another input size: checked by the model, preprocessing rescaled. */
  ModelChoice atSize(int h, int w) {
    if (h == height && w == width) {
      return this;
    }
    try {
      createModule().checkInputSize(h, w);
    } catch (IllegalArgumentException e) {
      throw new CliError(
          "input size " + h + "x" + w + " for '" + name + "'",
          "a size the model" + " accepts",
          h + "x" + w + " (" + e.getMessage() + ")",
          "tfhybrid list shows legal sizes");
    }
    List<String> why = new ArrayList<>(reasons);
    why.add("input " + h + "x" + w + " instead of the default " + height + "x" + width);
    return new ModelChoice(arch, name, config, h, w, preprocessing.forCrop(h, w), why);
  }

  /**
   * The same ConTNet built with {@code pre_norm=True} ({@code --pre-norm}): the one ConTNet flag no
   * checkpoint shows (pre- and post-norm nets have the same keys and shapes).
   */
  ModelChoice withPreNorm() {
    if (!(config instanceof ContNetConfig c)) {
      throw new CliError(
          "--pre-norm for " + arch.displayName() + " '" + name + "'",
          "a ConTNet model (pre_norm is a ConTNet build flag)",
          arch.displayName(),
          "leave --pre-norm out");
    }
    ContNetConfig pre = c.withPreNorm(true);
    List<String> why = new ArrayList<>();
    // Reasons that print the configuration print the one that is built.
    reasons.stream()
        .filter(r -> !r.startsWith("pre_norm="))
        .map(r -> r.replace(c.toString(), pre.toString()))
        .forEach(why::add);
    why.add(
        "pre_norm=True: --pre-norm (not visible in a checkpoint; the official default is"
            + " False)");
    return new ModelChoice(arch, name, pre, height, width, preprocessing, why);
  }

  /**
   * The same CvT with another MLP activation ({@code --gelu}): the weights do not show it. QuickGELU
   * is the official model's (and the default of every CvT choice); the exact GELU reproduces
   * Hugging Face's Python CvT, which runs the same weights with it.
   */
  ModelChoice withMlpActivation(GeluKind kind) {
    if (!(config instanceof CvtConfig c)) {
      throw new CliError(
          "--gelu for " + arch.displayName() + " '" + name + "'",
          "a CvT model (the MLP activation is a CvT build choice)",
          arch.displayName(),
          "leave --gelu out");
    }
    CvtConfig built = c.withMlpActivation(kind);
    List<String> why = new ArrayList<>();
    // Reasons that print the configuration print the one that is built.
    reasons.stream()
        .filter(r -> !r.startsWith("MLP activation "))
        .map(r -> r.replace(c.toString(), built.toString()))
        .forEach(why::add);
    why.add(
        kind == GeluKind.ERF
            ? "MLP activation exact GELU: --gelu erf (reproduces Hugging Face's Python CvT; the"
                + " official model runs the same weights with QuickGELU)"
            : "MLP activation QuickGELU: --gelu quick (the official model's)");
    return new ModelChoice(arch, name, built, height, width, preprocessing, why);
  }
}
