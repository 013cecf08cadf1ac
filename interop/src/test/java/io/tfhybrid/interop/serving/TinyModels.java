package io.tfhybrid.interop.serving;

import io.tfhybrid.arch.BuiltModel;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.conv2former.Conv2Former;
import io.tfhybrid.arch.conv2former.Conv2FormerConfig;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.interop.load.WeightLoader;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.RandomWeights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A tiny Conv2Former with random weights: fast enough to export and reload in every test. */
final class TinyModels {
  private TinyModels() {}

  static final Conv2FormerConfig CONFIG =
      new Conv2FormerConfig(7, List.of(8, 8, 8, 8), List.of(1, 1, 1, 1), List.of(1, 1, 1, 1), 3);
  static final int H = 48;
  static final int W = 40;

  /** Resize straight to the input size: a picture of exactly H×W passes unchanged. */
  static final Preprocessing RESIZE_ONLY =
      new Preprocessing(
          Preprocessing.Interpolation.BICUBIC,
          0,
          H,
          W,
          Preprocessing.IMAGENET_MEAN,
          Preprocessing.IMAGENET_STD);

  static StateDict randomStateDict(long seed) {
    Conv2Former root = new Conv2Former(CONFIG);
    Map<String, Object> values = RandomWeights.torchLayout(root.stateDictSpec(), seed);
    LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
    for (ParamSpec s : root.stateDictSpec()) {
      Object v = values.get(s.key());
      tensors.put(
          s.key(),
          v instanceof long[] l
              ? HostTensor.ofLongs(s.torchShape(), l)
              : HostTensor.ofFloats(s.torchShape(), (float[]) v));
    }
    return StateDict.of("random-" + seed, tensors, List.of());
  }

  /** The tiny model at H×W with {@code sd} loaded. */
  static BuiltModel loaded(StateDict sd) {
    BuiltModel m = BuiltModel.build("tiny_conv2former", new Conv2Former(CONFIG), H, W);
    WeightLoader.load(m, sd);
    return m;
  }

  /**
   * An exporter of {@code m} with the resize-only transform into {@code dir}, without warm-up
   * requests (what most export tests need; add options, then {@code build().export()}).
   */
  static SavedModelExport.Builder exporter(BuiltModel m, Path dir) {
    return SavedModelExport.builder().model(m).preprocessing(RESIZE_ONLY).modelDir(dir)
        .warmup(false);
  }

  /** {@code n} random RGB pictures, float32 NHWC 0-255 (integers). */
  static HostTensor pixels(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] f = new float[n * H * W * 3];
    for (int i = 0; i < f.length; i++) {
      f[i] = r.nextInt(256);
    }
    return HostTensor.ofFloats(new long[] {n, H, W, 3}, f);
  }

  /** ToTensor + Normalize on the host, as the reference pipeline does. */
  static HostTensor normalized(HostTensor pixels, Preprocessing p) {
    float[] f = pixels.toFloatArray();
    for (int i = 0; i < f.length; i++) {
      int c = i % 3;
      f[i] = (f[i] / 255f - p.mean().get(c)) / p.std().get(c);
    }
    return HostTensor.ofFloats(pixels.shape(), f);
  }
}
