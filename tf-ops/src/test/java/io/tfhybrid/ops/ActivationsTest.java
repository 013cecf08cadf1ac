package io.tfhybrid.ops;

import static io.tfhybrid.nn.TorchRef.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.Act;
import io.tfhybrid.nn.GraphTester;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.TorchRef;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Activations against double references of PyTorch's definitions. */
class ActivationsTest {
  /** Activations are one rounding or so away from the double value: 1e-6 · max(1, |ref|). */
  private static final double ELEMENTWISE_UNIT = 1e-6;

  /**
   * erf by its Maclaurin series {@code 2/√π Σ (−1)ⁿ z^(2n+1) / (n!(2n+1))} for |z| ≤ 4, ±1 beyond.
   */
  static double erf(double z) {
    if (Math.abs(z) > 4) {
      return Math.signum(z); // |erf(z) ∓ 1| = erfc(4) ≈ 1.5e-8
    }
    double term = z; // z^(2n+1)/n!
    double sum = z;
    for (int n = 1; n < 200; n++) {
      term *= -z * z / n;
      double add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.max(1, Math.abs(sum))) {
        break;
      }
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  static double geluExact(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }

  static double geluTanh(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** -10 … 10 in steps of 0.01, plus a few extremes. */
  private static float[] grid() {
    float[] x = new float[2001 + 6];
    for (int i = 0; i <= 2000; i++) {
      x[i] = (float) (-10 + 0.01 * i);
    }
    float[] extra = {-30, 30, 1e-4f, -1e-4f, 0.7071f, -0.7071f};
    System.arraycopy(extra, 0, x, 2001, extra.length);
    return x;
  }

  private static double[] map(float[] x, DoubleUnaryOperator f) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = f.applyAsDouble(x[i]);
    }
    return y;
  }

  private static float[] apply(Activations.Kind kind, float[] x) {
    try (GraphTester g = GraphTester.create()) {
      return g.eval(Activations.apply(g.tf(), kind, g.constant(new long[] {x.length}, x)))
          .toFloatArray();
    }
  }

  @Test
  void erfReferenceIsSane() {
    assertEquals(0.8427007929497149, erf(1), 1e-15);
    assertEquals(-0.9953222650189527, erf(-2), 1e-15);
    assertEquals(0.9999999845827421, erf(4), 1e-11); // the series cancels badly at 4: ~1e-11 left
    assertEquals(0, erf(0));
  }

  @Test
  void geluIsTheExactErfForm() {
    float[] x = grid();
    float[] y = apply(Activations.Kind.GELU, x);
    assertClose(map(x, ActivationsTest::geluExact), y, ELEMENTWISE_UNIT, "erf GELU");
    // … and not the tanh approximation, which is off by more than 1e-4 somewhere.
    double maxVsTanh = 0;
    for (int i = 0; i < x.length; i++) {
      maxVsTanh = Math.max(maxVsTanh, Math.abs(y[i] - geluTanh(x[i])));
    }
    assertTrue(maxVsTanh > 1e-4, "GELU equals the tanh approximation to " + maxVsTanh);
  }

  /** GELU from x/2 is the same float as GELU from x, bit for bit, over the grid and random x. */
  @Test
  void geluOfHalfHasTheBitsOfGelu() {
    float[] grid = grid();
    float[] rnd = TorchRef.uniform(7, 20000, -12, 12);
    float[] x = new float[grid.length + rnd.length];
    System.arraycopy(grid, 0, x, 0, grid.length);
    System.arraycopy(rnd, 0, x, grid.length, rnd.length);
    float[] half = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      half[i] = x[i] * 0.5f; // exact
    }
    float[] fromHalf;
    try (GraphTester g = GraphTester.create()) {
      fromHalf = g.eval(Activations.geluOfHalf(g.tf(), g.constant(new long[] {x.length}, half)))
          .toFloatArray();
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(apply(Activations.Kind.GELU, x), fromHalf);
  }

  @Test
  void quickGeluIsXSigmoid1702x() {
    float[] x = grid();
    assertClose(
        map(x, v -> v * sigmoid(1.702 * v)),
        apply(Activations.Kind.QUICK_GELU, x),
        ELEMENTWISE_UNIT,
        "QuickGELU");
  }

  @Test
  void siluReluSigmoidIdentity() {
    float[] x = grid();
    assertClose(
        map(x, v -> v * sigmoid(v)), apply(Activations.Kind.SILU, x), ELEMENTWISE_UNIT, "SiLU");
    assertClose(map(x, v -> Math.max(v, 0)), apply(Activations.Kind.RELU, x), 0, "ReLU");
    assertClose(
        map(x, ActivationsTest::sigmoid),
        apply(Activations.Kind.SIGMOID, x),
        ELEMENTWISE_UNIT,
        "Sigmoid");
    assertClose(map(x, v -> v), apply(Activations.Kind.IDENTITY, x), 0, "Identity");
  }

  @ParameterizedTest
  @EnumSource(Activations.Kind.class)
  void actModuleRunsItsKind(Activations.Kind kind) {
    float[] x = {-3, -0.5f, 0, 0.5f, 3, 1.25f};
    HostTensor y;
    try (GraphTester g = GraphTester.create()) {
      y = g.run(new Act(kind), Map.of(), new long[] {1, 2, 3}, x).output();
    }
    assertEquals(0, new Act(kind).stateDictSpec().size());
    DoubleUnaryOperator ref =
        switch (kind) {
          case GELU -> ActivationsTest::geluExact;
          case QUICK_GELU -> v -> v * sigmoid(1.702 * v);
          case SILU -> v -> v * sigmoid(v);
          case RELU -> v -> Math.max(v, 0);
          case SIGMOID -> ActivationsTest::sigmoid;
          case IDENTITY -> v -> v;
        };
    TorchRef.assertShape(new long[] {1, 2, 3}, y);
    assertClose(map(x, ref), y.toFloatArray(), ELEMENTWISE_UNIT, "Act " + kind);
  }

  @Test
  void factoriesPickTheirKinds() {
    assertEquals(Activations.Kind.GELU, Act.gelu().kind());
    assertEquals(Activations.Kind.SILU, Act.silu().kind());
    assertEquals(Activations.Kind.RELU, Act.relu().kind());
  }

  @Test
  void softmaxOverRows() {
    int rows = 4;
    int cols = 5;
    float[] x = TorchRef.uniform(3, rows * cols, -4, 4);
    // A row of huge logits: a naive exp would overflow; torch subtracts the row max.
    for (int j = 0; j < cols; j++) {
      x[3 * cols + j] = 1000 + j;
    }
    double[] ref = new double[x.length];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x[r * cols + j]);
      }
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        sum += Math.exp(x[r * cols + j] - max);
      }
      for (int j = 0; j < cols; j++) {
        ref[r * cols + j] = Math.exp(x[r * cols + j] - max) / sum;
      }
    }
    float[] y;
    try (GraphTester g = GraphTester.create()) {
      y =
          g.eval(Activations.softmax(g.tf(), g.constant(new long[] {2, 2, cols}, x)))
              .toFloatArray();
    }
    assertClose(ref, y, ELEMENTWISE_UNIT, "softmax");
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        sum += y[r * cols + j];
      }
      assertEquals(1, sum, 1e-6, "row " + r);
    }
  }
}
