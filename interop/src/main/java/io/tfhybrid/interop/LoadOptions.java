package io.tfhybrid.interop;

import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.checkpoint.ReadOptions;

/**
 * How {@link TfHybrid#load(java.nio.file.Path, LoadOptions)} reads a checkpoint and chooses the
 * model: the same choices as {@code tfhybrid convert}'s options. Immutable; start from {@link
 * #defaults()} and change what you need:
 *
 * <pre>{@code
 * LoadOptions.defaults().withModel("cvt_13_224").withEma(true).withNumClasses(100)
 * }</pre>
 *
 * @param model {@link #AUTO} to detect family, variant and flags from the keys and torch shapes,
 *     or a variant id ({@code tfhybrid list})
 * @param strict fail on any missing, unexpected or mis-shaped key (default); false loads what fits
 *     and reports the rest as warnings
 * @param ema read the EMA weights of a training checkpoint ({@code state_dict_ema}/{@code
 *     model_ema})
 * @param stateKey the key of the state dict inside a wrapper dict, or null to try the usual ones
 * @param numClasses the classifier width when it differs from the variant's, or null
 * @param gelu CvT only: the MLP activation (not visible in a checkpoint), or null for the official
 *     QuickGELU
 * @param preNorm ConTNet only: the net was trained with {@code pre_norm=True} (not visible in a
 *     checkpoint)
 * @param height input height to build at, or 0 for the model's default
 * @param width input width to build at, or 0 for the model's default
 * @param allowUnknownGlobals let pickle globals outside the reader's allow-list become inert
 *     placeholders instead of rejecting the file ({@link ReadOptions#allowUnknownGlobals()}; still
 *     never executed); {@code tfhybrid convert --allow-unknown-globals}
 */
public record LoadOptions(
    String model,
    boolean strict,
    boolean ema,
    String stateKey,
    Integer numClasses,
    GeluKind gelu,
    boolean preNorm,
    int height,
    int width,
    boolean allowUnknownGlobals) {

  /** {@link #model()} value that detects the model from the checkpoint. */
  public static final String AUTO = "auto";

  /** Checks the class count and input size; a null model means {@link #AUTO}. */
  public LoadOptions {
    model = model == null ? AUTO : model;
    if (numClasses != null && numClasses < 1) {
      throw new TfHybridException(
          "number of classes", "a positive count", numClasses.toString(), null);
    }
    if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
      throw new TfHybridException(
          "input size", "both sides positive (or both 0: the default)", height + "x" + width, null);
    }
  }

  /** Detect the model, strict loading, the checkpoint's own weights, default size. */
  public static LoadOptions defaults() {
    return new LoadOptions(AUTO, true, false, null, null, null, false, 0, 0, false);
  }

  /** {@link #AUTO} or a variant id. */
  public LoadOptions withModel(String id) {
    return new LoadOptions(
        id, strict, ema, stateKey, numClasses, gelu, preNorm, height, width, allowUnknownGlobals);
  }

  /** Strict (default) or lenient loading. */
  public LoadOptions withStrict(boolean value) {
    return new LoadOptions(
        model, value, ema, stateKey, numClasses, gelu, preNorm, height, width, allowUnknownGlobals);
  }

  /** Read the EMA weights of a training checkpoint. */
  public LoadOptions withEma(boolean value) {
    return new LoadOptions(
        model, strict, value, stateKey, numClasses, gelu, preNorm,
        height, width, allowUnknownGlobals);
  }

  /** The key of the state dict inside a wrapper dict (null: try the usual ones). */
  public LoadOptions withStateKey(String key) {
    return new LoadOptions(
        model, strict, ema, key, numClasses, gelu, preNorm, height, width, allowUnknownGlobals);
  }

  /** Another classifier width (null: the checkpoint's or variant's). */
  public LoadOptions withNumClasses(Integer n) {
    return new LoadOptions(
        model, strict, ema, stateKey, n, gelu, preNorm, height, width, allowUnknownGlobals);
  }

  /** CvT's MLP activation (null: the official QuickGELU). */
  public LoadOptions withGelu(GeluKind kind) {
    return new LoadOptions(
        model, strict, ema, stateKey, numClasses, kind, preNorm,
        height, width, allowUnknownGlobals);
  }

  /** ConTNet trained with {@code pre_norm=True}. */
  public LoadOptions withPreNorm(boolean value) {
    return new LoadOptions(
        model, strict, ema, stateKey, numClasses, gelu, value, height, width, allowUnknownGlobals);
  }

  /** Build for {@code h x w} inputs instead of the model's default size (0, 0: the default). */
  public LoadOptions withInputSize(int h, int w) {
    return new LoadOptions(
        model, strict, ema, stateKey, numClasses, gelu, preNorm, h, w, allowUnknownGlobals);
  }

  /** See {@link #allowUnknownGlobals()}: placeholders instead of a refusal; nothing is run. */
  public LoadOptions withAllowUnknownGlobals(boolean value) {
    return new LoadOptions(
        model, strict, ema, stateKey, numClasses, gelu, preNorm, height, width, value);
  }

  /** Whether {@link #model()} asks for detection. */
  public boolean detects() {
    return model.equals(AUTO);
  }

  /** The reader's options: which state dict of a wrapper dict to read. */
  public ReadOptions readOptions() {
    ReadOptions r =
        ReadOptions.defaults().withEma(ema).withAllowUnknownGlobals(allowUnknownGlobals);
    return stateKey == null ? r : r.withStateKey(stateKey);
  }
}
