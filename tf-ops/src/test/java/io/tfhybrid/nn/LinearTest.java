package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nn.Linear}: {@code y = x·Wᵀ + b} on the last axis of rank-2 and rank-3 inputs. */
class LinearTest {

  private static double[] reference(float[] x, int rows, int in, float[] w, int out, float[] b) {
    double[] y = new double[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < out; o++) {
        double acc = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          acc += (double) x[r * in + i] * w[o * in + i]; // W is torch [out, in]
        }
        y[r * out + o] = acc;
      }
    }
    return y;
  }

  private static void check(long[] inputShape, int out, boolean bias) {
    int in = (int) inputShape[inputShape.length - 1];
    int rows = (int) (HostTensor.numel(inputShape) / in);
    float[] x = TorchRef.uniform(1, rows * in, -2, 2);
    float[] w = TorchRef.uniform(2, out * in, -1, 1);
    float[] b = bias ? TorchRef.uniform(3, out, -1, 1) : null;
    Map<String, Object> weights = new HashMap<>();
    weights.put("weight", w);
    if (bias) {
      weights.put("bias", b);
    }
    HostTensor y = TorchRef.run(new Linear(in, out, bias), weights, inputShape, x);
    long[] outShape = inputShape.clone();
    outShape[outShape.length - 1] = out;
    assertShape(outShape, y);
    assertClose(
        reference(x, rows, in, w, out, b), y.toFloatArray(), "linear " + Checks.shape(inputShape));
  }

  @Test
  void rankTwo() {
    check(new long[] {3, 5}, 4, true);
    check(new long[] {3, 5}, 4, false);
  }

  @Test
  void rankThreeTokens() {
    check(new long[] {2, 7, 6}, 9, true);
    check(new long[] {2, 7, 6}, 9, false);
    check(new long[] {1, 1, 6}, 3, true);
  }

  @Test
  void rankFourMap() {
    check(new long[] {2, 3, 4, 5}, 6, true); // a Linear applied to an NHWC map (channels last)
  }

  @Test
  void handComputed() {
    // W = [[1, 0, -1], [2, 1, 0]] (out 2, in 3), b = [10, 20]; rows [1, 2, 3], [0, -1, 4].
    HostTensor y =
        TorchRef.run(
            new Linear(3, 2, true),
            Map.of("weight", new float[] {1, 0, -1, 2, 1, 0}, "bias", new float[] {10, 20}),
            new long[] {1, 2, 3},
            new float[] {1, 2, 3, 0, -1, 4});
    assertShape(new long[] {1, 2, 2}, y);
    assertArrayEquals(new float[] {1 - 3 + 10, 2 + 2 + 20, -4 + 10, -1 + 20}, y.toFloatArray());
  }

  @Test
  void keysWithAndWithoutBias() {
    Linear withBias = new Linear(5, 3, true);
    assertEquals(
        List.of("weight", "bias"), withBias.stateDictSpec().stream().map(ParamSpec::key).toList());
    assertArrayEquals(new long[] {3, 5}, withBias.stateDictSpec().get(0).torchShape());
    assertEquals(Layout.OUT_IN, withBias.stateDictSpec().get(0).layout());
    assertArrayEquals(new long[] {5, 3}, withBias.stateDictSpec().get(0).tfShape());
    assertArrayEquals(new long[] {3}, withBias.stateDictSpec().get(1).torchShape());
    assertEquals(18, withBias.parameterCount());
    Linear noBias = new Linear(5, 3, false);
    assertEquals(List.of("weight"), noBias.stateDictSpec().stream().map(ParamSpec::key).toList());
    assertEquals(15, noBias.parameterCount());
    assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3, true));
  }
}
