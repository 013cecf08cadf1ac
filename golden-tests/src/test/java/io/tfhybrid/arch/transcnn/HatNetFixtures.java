package io.tfhybrid.arch.transcnn;

import static io.tfhybrid.arch.golden.FixtureJson.intArray;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.golden.GoldenCase;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys of the withdrawn TransCNN v1 code (variants.json's legacy table), without TensorFlow.
 */
public final class HatNetFixtures {
  private HatNetFixtures() {}

  /**
   * Keys and shapes of a withdrawn TransCNN v1 checkpoint ({@code TransCNN.py@0bd7463}):
   * BatchNorm with running statistics, post-norm inverted residual, two-branch downsample, no
   * {@code attn.proj_norm}, depthwise kernels 5/3/5/3.
   */
  public static Map<String, long[]> transCnnV1Shapes(int[] dims, int[] depths, int[] expansions,
      int[] gridSizes, int numClasses) {
    int[] kernels = {5, 3, 5, 3};
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("patch_embed.0.weight", new long[] {16, 3, 3, 3});
    m.put("patch_embed.0.bias", new long[] {16});
    batchNorm(m, "patch_embed.1", 16);
    m.put("patch_embed.3.weight", new long[] {dims[0], 16, 3, 3});
    m.put("patch_embed.3.bias", new long[] {dims[0]});
    for (int s = 0; s < 4; s++) {
      int c = dims[s];
      int e = c * expansions[s];
      for (int i = 0; i < depths[s]; i++) {
        String b = "blocks." + s + "." + i + ".";
        batchNorm(m, b + "attn.norm", c);
        m.put(b + "attn.qkv.weight", new long[] {3L * c, c, 1, 1});
        m.put(b + "attn.qkv.bias", new long[] {3L * c});
        m.put(b + "attn.proj.weight", new long[] {c, c, 1, 1});
        m.put(b + "attn.proj.bias", new long[] {c});
        if (gridSizes[s] > 1) {
          batchNorm(m, b + "attn.grid_norm", c);
          batchNorm(m, b + "attn.ds_norm", c);
          m.put(b + "attn.q.weight", new long[] {c, c, 1, 1});
          m.put(b + "attn.q.bias", new long[] {c});
          m.put(b + "attn.kv.weight", new long[] {2L * c, c, 1, 1});
          m.put(b + "attn.kv.bias", new long[] {2L * c});
        }
        m.put(b + "conv.conv1.0.weight", new long[] {e, c, 1, 1});
        batchNorm(m, b + "conv.conv1.1", e);
        m.put(b + "conv.conv2.0.weight", new long[] {e, 1, kernels[s], kernels[s]});
        batchNorm(m, b + "conv.conv2.1", e);
        m.put(b + "conv.conv3.0.weight", new long[] {c, e, 1, 1});
        batchNorm(m, b + "conv.conv3.1", c);
      }
    }
    for (int n = 2; n <= 4; n++) {
      int in = dims[n - 2];
      int out = dims[n - 1];
      m.put("ds" + n + ".conv.weight", new long[] {out, in, 3, 3});
      m.put("ds" + n + ".conv.bias", new long[] {out});
      m.put("ds" + n + ".residual.weight", new long[] {out, in, 1, 1});
      m.put("ds" + n + ".residual.bias", new long[] {out});
      batchNorm(m, "ds" + n + ".norm1", out);
      batchNorm(m, "ds" + n + ".norm2", out);
    }
    m.put("classifier.1.weight", new long[] {numClasses, dims[3]});
    m.put("classifier.1.bias", new long[] {numClasses});
    return m;
  }

  private static void batchNorm(Map<String, long[]> m, String prefix, int c) {
    m.put(prefix + ".weight", new long[] {c});
    m.put(prefix + ".bias", new long[] {c});
    m.put(prefix + ".running_mean", new long[] {c});
    m.put(prefix + ".running_var", new long[] {c});
    m.put(prefix + ".num_batches_tracked", new long[] {});
  }

  /** The v1 variant of variants.json's legacy table, by name (e.g. "TransCNN_Tiny"). */
  static Map<String, long[]> transCnnV1Shapes(String name) {
    JsonNode v = GoldenCase.variantsJson(Arch.TRANSCNN).get("legacy_transcnn_v1_not_supported")
        .get("variants").get(name);
    return transCnnV1Shapes(intArray(v.get("dims")), intArray(v.get("depths")),
        intArray(v.get("expansions")), intArray(v.get("grid_sizes")), 1000);
  }

  /** Parameter count of a key map (BatchNorm buffers excluded), as PyTorch counts it. */
  static long v1ParameterCount(Map<String, long[]> shapes) {
    long n = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String k = e.getKey();
      if (k.endsWith("running_mean") || k.endsWith("running_var")
          || k.endsWith("num_batches_tracked")) {
        continue;
      }
      long p = 1;
      for (long d : e.getValue()) {
        p *= d;
      }
      n += p;
    }
    return n;
  }
}
