package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conv2d against {@link TorchRef#conv2d}, a naive PyTorch-semantics convolution in double. The
 * input is generated NCHW (torch layout), fed NHWC, and the NHWC result compared with the reference
 * transposed by index arithmetic.
 */
class Conv2dTest {

  /** Runs one Conv2d case and compares with the naive reference. */
  private static void check(
      int b,
      int cin,
      int h,
      int w,
      int cout,
      int kh,
      int kw,
      int sh,
      int sw,
      int ph,
      int pw,
      int groups,
      boolean bias,
      long seed) {
    Conv2d conv = Conv2d.builder(cin, cout, kh, kw)
        .stride(sh, sw).padding(ph, pw).groups(groups).bias(bias).build();
    float[] xNchw = TorchRef.uniform(seed, b * cin * h * w, -1, 1);
    float[] weight = TorchRef.uniform(seed + 1, cout * (cin / groups) * kh * kw, -0.5, 0.5);
    float[] biasV = bias ? TorchRef.uniform(seed + 2, cout, -1, 1) : null;
    Map<String, Object> weights = new HashMap<>();
    weights.put("weight", weight);
    if (bias) {
      weights.put("bias", biasV);
    }
    HostTensor y =
        TorchRef.run(
            conv, weights, new long[] {b, h, w, cin}, TorchRef.nchwToNhwc(xNchw, b, cin, h, w));
    int oh = TorchRef.convOut(h, kh, sh, ph);
    int ow = TorchRef.convOut(w, kw, sw, pw);
    assertShape(new long[] {b, oh, ow, cout}, y);
    double[] ref =
        TorchRef.conv2d(xNchw, b, cin, h, w, weight, cout, kh, kw, biasV, sh, sw, ph, pw, groups);
    assertClose(
        TorchRef.nchwToNhwc(ref, b, cout, oh, ow),
        y.toFloatArray(),
        String.format(
            "conv %dx%d/%dx%d pad %dx%d groups %d on %dx%dx%d",
            kh, kw, sh, sw, ph, pw, groups, cin, h, w));
  }

  @Test
  void oneByOneConvIsAMatmul() {
    int b = 2;
    int h = 3;
    int w = 4;
    int cin = 5;
    int cout = 6;
    float[] xNhwc = TorchRef.uniform(11, b * h * w * cin, -1, 1);
    float[] weight = TorchRef.uniform(12, cout * cin, -1, 1); // [out, in, 1, 1]
    float[] bias = TorchRef.uniform(13, cout, -1, 1);
    HostTensor y =
        TorchRef.run(
            Conv2d.builder(cin, cout, 1).build(),
            Map.of("weight", weight, "bias", bias),
            new long[] {b, h, w, cin},
            xNhwc);
    assertShape(new long[] {b, h, w, cout}, y);
    // Every pixel is a row: y[p, o] = Σ_c x[p, c] · W[o, c] + b[o].
    double[] ref = new double[b * h * w * cout];
    for (int p = 0; p < b * h * w; p++) {
      for (int o = 0; o < cout; o++) {
        double acc = bias[o];
        for (int c = 0; c < cin; c++) {
          acc += (double) xNhwc[p * cin + c] * weight[o * cin + c];
        }
        ref[p * cout + o] = acc;
      }
    }
    assertClose(ref, y.toFloatArray(), "1x1 conv");
  }

  @Test
  void handComputedThreeByThreeStrideTwoOnEvenInput() {
    // 1 channel, 4×4 input 0..15, all-ones 3×3 kernel, stride 2, pad 1: PyTorch windows start at
    // -1 and 1 (TF SAME would start at 0 and 2 for an even size).
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i;
    }
    float[] ones = new float[9];
    java.util.Arrays.fill(ones, 1f);
    HostTensor y =
        TorchRef.run(
            Conv2d.builder(1, 1, 3).stride(2).padding(1).bias(false).build(),
            Map.of("weight", ones), new long[] {1, 4, 4, 1}, x);
    assertShape(new long[] {1, 2, 2, 1}, y);
    // (0,0): rows 0..1 × cols 0..1 = 0+1+4+5; (0,1): rows 0..1 × cols 1..3 = 1+2+3+5+6+7;
    // (1,0): rows 1..3 × cols 0..1 = 4+5+8+9+12+13; (1,1): rows 1..3 × cols 1..3.
    assertArrayEquals(new float[] {10, 24, 51, 90}, y.toFloatArray());
  }

  @ParameterizedTest(name = "3x3 s2 p1 on {0}x{1}")
  @CsvSource({"8, 8", "7, 7", "8, 7", "6, 9", "2, 2", "1, 1"})
  void threeByThreeStrideTwoPadOne(int h, int w) {
    check(2, 3, h, w, 4, 3, 3, 2, 2, 1, 1, 1, true, 100 + h * 10 + w);
  }

  @ParameterizedTest(name = "7x7 s4 p2 on {0}x{0}")
  @CsvSource({"16", "18", "19", "21"})
  void sevenBySevenStrideFourPadTwo(int n) {
    check(1, 3, n, n, 5, 7, 7, 4, 4, 2, 2, 1, true, 200 + n);
  }

  @Test
  void kernelLargerThanTheMap() {
    check(2, 2, 3, 3, 3, 11, 11, 1, 1, 5, 5, 1, true, 300);
    check(1, 2, 3, 4, 3, 11, 11, 2, 2, 5, 5, 1, false, 301);
  }

  @Test
  void otherPaddingsAndStrides() {
    check(1, 2, 5, 6, 3, 3, 3, 1, 1, 0, 0, 1, true, 400); // VALID
    check(1, 2, 5, 6, 3, 3, 3, 1, 1, 1, 1, 1, true, 401); // SAME-identical
    check(1, 2, 5, 6, 3, 3, 3, 1, 1, 2, 2, 1, true, 402); // more than SAME
    check(1, 2, 6, 6, 3, 2, 2, 2, 2, 0, 0, 1, true, 403); // patch-embed style
    check(1, 2, 6, 6, 3, 4, 4, 1, 1, 2, 2, 1, true, 404); // even kernel, pad k/2
    check(1, 2, 5, 7, 3, 1, 3, 1, 2, 0, 1, 1, true, 405); // non-square kernel/stride/pad
    check(1, 2, 7, 5, 3, 5, 3, 2, 1, 2, 0, 1, true, 406);
  }

  @Test
  void depthwise() {
    check(2, 4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 4, true, 500); // SAME-identical path
    check(2, 4, 6, 6, 4, 3, 3, 2, 2, 1, 1, 4, false, 501); // explicit padding, even input
    check(1, 4, 7, 7, 4, 3, 3, 2, 2, 1, 1, 4, true, 502); // explicit padding, odd input
    check(1, 3, 9, 9, 3, 11, 11, 1, 1, 5, 5, 3, true, 503); // Conv2Former-style 11×11
    check(1, 3, 5, 5, 3, 7, 7, 1, 1, 3, 3, 3, true, 504); // kernel larger than the map
  }

  @Test
  void depthwiseWithChannelMultiplierTwo() {
    check(2, 3, 6, 6, 6, 3, 3, 1, 1, 1, 1, 3, true, 600);
    check(1, 3, 7, 6, 6, 3, 3, 2, 2, 1, 1, 3, false, 601);
    check(1, 2, 8, 8, 4, 7, 7, 4, 4, 2, 2, 2, true, 602);
  }

  @Test
  void groupsTwo() {
    check(2, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 2, true, 700);
    check(1, 4, 8, 8, 6, 3, 3, 2, 2, 1, 1, 2, false, 701);
    check(1, 6, 7, 7, 4, 1, 1, 1, 1, 0, 0, 2, true, 702);
  }

  @Test
  void biasOnAndOff() {
    check(1, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, true, 800);
    check(1, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, false, 800);
    // With zero input the output is the bias everywhere (padding contributes nothing).
    float[] bias = {1, -2, 3};
    HostTensor y =
        TorchRef.run(
            Conv2d.builder(2, 3, 3).stride(2).padding(1).build(),
            Map.of("weight", TorchRef.uniform(1, 3 * 2 * 9, -1, 1), "bias", bias),
            new long[] {1, 4, 4, 2},
            new float[32]);
    float[] f = y.toFloatArray();
    for (int i = 0; i < f.length; i++) {
      assertEquals(bias[i % 3], f[i], 0f);
    }
  }

  private static List<String> keys(Module m) {
    return m.stateDictSpec().stream().map(ParamSpec::key).toList();
  }

  @Test
  void declaredKeysAndTorchShapes() {
    Conv2d dense = Conv2d.builder(3, 8, 7).stride(4).padding(2).build();
    assertEquals(List.of("weight", "bias"), keys(dense));
    assertArrayEquals(new long[] {8, 3, 7, 7}, dense.stateDictSpec().get(0).torchShape());
    assertEquals(Layout.OIHW, dense.stateDictSpec().get(0).layout());
    assertArrayEquals(new long[] {7, 7, 3, 8}, dense.stateDictSpec().get(0).tfShape());
    assertArrayEquals(new long[] {8}, dense.stateDictSpec().get(1).torchShape());
    assertEquals(8 * 3 * 49 + 8, dense.parameterCount());
    assertFalse(dense.isDepthwise());

    Conv2d noBias = Conv2d.builder(3, 8, 3).padding(1).bias(false).build();
    assertEquals(List.of("weight"), keys(noBias));

    Conv2d dw = Conv2d.builder(4, 8, 3).padding(1).groups(4).build();
    assertTrue(dw.isDepthwise());
    ParamSpec dww = dw.stateDictSpec().get(0);
    assertArrayEquals(new long[] {8, 1, 3, 3}, dww.torchShape());
    assertEquals(Layout.DEPTHWISE, dww.layout());
    assertArrayEquals(new long[] {3, 3, 4, 2}, dww.tfShape());

    Conv2d grouped = Conv2d.builder(4, 6, 3).padding(1).groups(2).bias(false).build();
    assertFalse(grouped.isDepthwise());
    assertArrayEquals(new long[] {6, 2, 3, 3}, grouped.stateDictSpec().get(0).torchShape());
    assertArrayEquals(new long[] {3, 3, 2, 6}, grouped.stateDictSpec().get(0).tfShape());

    // groups == in == 1 is an ordinary conv, not depthwise.
    assertFalse(Conv2d.builder(1, 4, 3).padding(1).bias(false).build().isDepthwise());
  }

  @Test
  void unsetBuilderOptionsArePyTorchsDefaults() {
    // nn.Conv2d(1, 1, 3): stride 1, padding 0, groups 1, bias=True.
    Conv2d c = Conv2d.builder(1, 1, 3).build();
    assertEquals(List.of("weight", "bias"), keys(c));
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i;
    }
    float[] ones = new float[9];
    java.util.Arrays.fill(ones, 1f);
    HostTensor y = TorchRef.run(c, Map.of("weight", ones, "bias", new float[] {0.5f}),
        new long[] {1, 4, 4, 1}, x);
    // Valid 3×3 windows at stride 1 on 0..15: the sums 45, 54, 81, 90, plus the bias.
    assertShape(new long[] {1, 2, 2, 1}, y);
    assertArrayEquals(new float[] {45.5f, 54.5f, 81.5f, 90.5f}, y.toFloatArray());
  }

  @Test
  void invalidHyperParametersAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> Conv2d.builder(4, 6, 3).padding(1).groups(3).bias(false).build());
    assertTrue(e.getMessage().contains("groups (3)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(0, 6, 3).build());
    assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(3, 6, 3).stride(0).build());
    assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(3, 6, 3).padding(-1).build());
  }
}
