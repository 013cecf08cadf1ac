package io.tfhybrid.interop.serving;

import java.util.List;

/**
 * The names every SavedModel we export uses: tag, signature keys, input and output aliases, the
 * method name TF Serving's Predict API requires, and the files under {@code assets.extra/}.
 */
public final class ServingSignatures {
  private ServingSignatures() {}

  /** The one MetaGraphDef tag, as TF Serving loads it by default. */
  public static final String TAG = "serve";

  /**
   * The method name on every signature. TF Java leaves it empty unless set, and TF Serving's
   * Predict API rejects a signature without it.
   */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  /** {@code images} float32 [-1, H, W, 3], RGB 0-255 → {@code logits}, {@code probabilities}. */
  public static final String SERVING_DEFAULT = "serving_default";

  /**
   * {@code image_bytes} string [-1] (JPEG/PNG/GIF/BMP, decoded, resized and cropped in the graph) →
   * {@code logits}, {@code probabilities}: what TF Serving's REST API feeds from {@code {"b64":
   * …}}.
   */
  public static final String SERVING_BYTES = "serving_bytes";

  /** {@code images} float32 [-1, H, W, 3], RGB 0-255 → {@code features} [-1, F]. */
  public static final String FEATURES = "features";

  /** Every signature key, in the order they are exported. */
  public static final List<String> ALL = List.of(SERVING_DEFAULT, SERVING_BYTES, FEATURES);

  /** Input alias of {@link #SERVING_DEFAULT} and {@link #FEATURES}. */
  public static final String INPUT_IMAGES = "images";

  /** Input alias of {@link #SERVING_BYTES}. */
  public static final String INPUT_IMAGE_BYTES = "image_bytes";

  public static final String OUTPUT_LOGITS = "logits";
  public static final String OUTPUT_PROBABILITIES = "probabilities";
  public static final String OUTPUT_FEATURES = "features";

  /** TF Serving's warmup file (TFRecord of {@code PredictionLog}), relative to a version dir. */
  public static final String WARMUP_FILE = "assets.extra/tf_serving_warmup_requests";

  /** What we know about an export (model, config, preprocessing, variable layouts), as JSON. */
  public static final String METADATA_FILE = "assets.extra/tfhybrid.json";
}
