package io.tfhybrid.nn;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static io.tfhybrid.nn.TorchRef.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code nn.BatchNorm2d} in eval mode: {@code (x − running_mean)/√(running_var + eps)·weight +
 * bias}.
 */
class BatchNorm2dTest {

  private static double[] reference(
      float[] xNhwc, int c, float[] w, float[] b, float[] mean, float[] var, double eps) {
    double[] y = new double[xNhwc.length];
    for (int i = 0; i < xNhwc.length; i++) {
      int ch = i % c; // NHWC: channel is the fastest axis
      y[i] = (xNhwc[i] - (double) mean[ch]) / Math.sqrt(var[ch] + eps) * w[ch] + b[ch];
    }
    return y;
  }

  @Test
  void defaultEpsIsTorchs1em5() {
    assertEquals(1e-5f, BatchNorm2d.DEFAULT_EPS);
    int c = 4;
    float[] x = TorchRef.uniform(1, 2 * 3 * 5 * c, -2, 2);
    float[] w = {1.5f, -0.5f, 2, 1};
    float[] b = {0.1f, 0.2f, -0.3f, 0};
    float[] mean = {0.5f, -1, 0, 0.25f};
    // Channel 2 has running_var 0, so the output is (x − mean)/√eps: eps 1e-3 or 1e-4 would be far
    // off.
    float[] var = {1, 0.25f, 0, 3e-5f};
    HostTensor y =
        TorchRef.run(
            new BatchNorm2d(c),
            Map.of(
                "weight",
                w,
                "bias",
                b,
                "running_mean",
                mean,
                "running_var",
                var,
                "num_batches_tracked",
                new long[] {12345}),
            new long[] {2, 3, 5, c},
            x);
    assertShape(new long[] {2, 3, 5, c}, y);
    assertClose(reference(x, c, w, b, mean, var, 1e-5), y.toFloatArray(), "batch norm eps 1e-5");
  }

  @Test
  void givenEps() {
    int c = 3;
    float[] x = TorchRef.uniform(2, 1 * 4 * 4 * c, -1, 1);
    float[] w = {1, 2, 3};
    float[] b = {0, 0, 1};
    float[] mean = {0, 0.5f, -0.5f};
    float[] var = {1e-3f, 0, 2};
    HostTensor y =
        TorchRef.run(
            new BatchNorm2d(c, 1e-3f),
            Map.of("weight", w, "bias", b, "running_mean", mean, "running_var", var),
            new long[] {1, 4, 4, c},
            x);
    assertClose(
        reference(x, c, w, b, mean, var, (double) 1e-3f), y.toFloatArray(), "batch norm eps 1e-3");
  }

  @Test
  void handComputed() {
    // x = 3, mean 1, var 3 (+ eps 1e-5): (3 − 1)/√(3.00001)·2 + 1.
    HostTensor y =
        TorchRef.run(
            new BatchNorm2d(1),
            Map.of(
                "weight",
                new float[] {2},
                "bias",
                new float[] {1},
                "running_mean",
                new float[] {1},
                "running_var",
                new float[] {3}),
            new long[] {1, 1, 1, 1},
            new float[] {3});
    assertEquals(2 / Math.sqrt(3.00001) * 2 + 1, y.toFloatArray()[0], 1e-6);
  }

  @Test
  void keysIncludeNumBatchesTracked() {
    List<ParamSpec> spec = new BatchNorm2d(6).stateDictSpec();
    assertEquals(
        List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
        spec.stream().map(ParamSpec::key).toList());
    assertEquals(
        List.of(
            ParamSpec.Kind.PARAMETER,
            ParamSpec.Kind.PARAMETER,
            ParamSpec.Kind.BUFFER,
            ParamSpec.Kind.BUFFER,
            ParamSpec.Kind.BUFFER),
        spec.stream().map(ParamSpec::kind).toList());
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(new long[] {6}, spec.get(i).torchShape(), spec.get(i).key());
      assertEquals(DType.F32, spec.get(i).dtype());
    }
    assertArrayEquals(new long[] {}, spec.get(4).torchShape());
    assertEquals(DType.I64, spec.get(4).dtype());
    assertEquals(12, new BatchNorm2d(6).parameterCount());
  }
}
