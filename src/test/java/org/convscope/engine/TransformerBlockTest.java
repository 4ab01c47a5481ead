package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A transformer MLP block, y = x + W2 gelu(W1 layernorm(x) + b1), built twice: with LayerNormalization and Gelu
 * nodes (opset 20), and decomposed into the primitive ops PyTorch writes at opset 13. Both must agree with a
 * naive computation in double, and their backward passes with each other.
 */
class TransformerBlockTest {
  private static final int TOKENS = 5;
  private static final int WIDTH = 8;
  private static final int HIDDEN = 6;
  private static final Tensor X = GradCheck.randn(1, 0, 2, TOKENS, WIDTH);
  private static final Tensor SCALE = GradCheck.randn(2, 0, WIDTH);
  private static final Tensor BIAS = GradCheck.randn(3, 0, WIDTH);
  private static final Tensor W1 = GradCheck.randn(4, 0, WIDTH, HIDDEN);
  private static final Tensor B1 = GradCheck.randn(5, 0, HIDDEN);
  private static final Tensor W2 = GradCheck.randn(6, 0, HIDDEN, WIDTH);

  private static GraphBuilder withWeights(int opset) {
    GraphBuilder b = new GraphBuilder("block", opset);
    b.input("x", -1, TOKENS, WIDTH);
    b.initializer("scale", SCALE);
    b.initializer("bias", BIAS);
    b.initializer("w1", W1);
    b.initializer("b1", B1);
    b.initializer("w2", W2);
    return b;
  }

  /** The MLP after the normalization, shared by both graphs; {@code gelu} writes GELU of its input. */
  private static Network finish(GraphBuilder b, String normalized, UnaryOperator<String> gelu) {
    String h = b.node("MatMul", "/mlp/fc1/MatMul", List.of(normalized, "w1"), Map.of());
    h = b.node("Add", "/mlp/fc1/Add", List.of(h, "b1"), Map.of());
    h = gelu.apply(h);
    h = b.node("MatMul", "/mlp/fc2/MatMul", List.of(h, "w2"), Map.of());
    String y = b.node("Add", "/Add", List.of("x", h), Map.of());
    return new Network(b.output(y).build(StandardOps.registry()));
  }

  private static Network fused() {
    GraphBuilder b = withWeights(20);
    String n = b.node("LayerNormalization", "/norm/LayerNormalization", List.of("x", "scale", "bias"), Map.of());
    return finish(b, n, h -> b.node("Gelu", "/mlp/act/Gelu", List.of(h), Map.of()));
  }

  private static Network decomposed() {
    GraphBuilder b = withWeights(13);
    b.initializer("two", Tensor.scalar(2));
    b.initializer("epsilon", Tensor.scalar(1e-5f));
    b.initializer("sqrt2", Tensor.scalar((float) Math.sqrt(2)));
    b.initializer("one", Tensor.scalar(1));
    b.initializer("half", Tensor.scalar(0.5f));
    Map<String, Object> lastAxis = Map.of("axes", new long[] {-1});
    String mean = b.node("ReduceMean", "/norm/ReduceMean", List.of("x"), lastAxis);
    String centered = b.node("Sub", "/norm/Sub", List.of("x", mean), Map.of());
    String squared = b.node("Pow", "/norm/Pow", List.of(centered, "two"), Map.of());
    String variance = b.node("ReduceMean", "/norm/ReduceMean_1", List.of(squared), lastAxis);
    String std = b.node("Sqrt", "/norm/Sqrt", List.of(b.node("Add", "/norm/Add", List.of(variance, "epsilon"), Map.of())), Map.of());
    String standardized = b.node("Div", "/norm/Div", List.of(centered, std), Map.of());
    String scaled = b.node("Mul", "/norm/Mul", List.of(standardized, "scale"), Map.of());
    String n = b.node("Add", "/norm/Add_1", List.of(scaled, "bias"), Map.of());
    return finish(b, n, h -> {
      String e = b.node("Erf", "/mlp/act/Erf", List.of(b.node("Div", "/mlp/act/Div", List.of(h, "sqrt2"), Map.of())), Map.of());
      String phi = b.node("Mul", "/mlp/act/Mul", List.of(b.node("Add", "/mlp/act/Add", List.of(e, "one"), Map.of()), "half"), Map.of());
      return b.node("Mul", "/mlp/act/Mul_1", List.of(h, phi), Map.of());
    });
  }

  /** The block computed directly, in double. */
  private static float[] naive() {
    float[] x = X.data();
    float[] y = new float[x.length];
    for (int row = 0; row < x.length / WIDTH; row++) {
      int base = row * WIDTH;
      double mean = 0;
      for (int j = 0; j < WIDTH; j++) mean += x[base + j] / (double) WIDTH;
      double variance = 0;
      for (int j = 0; j < WIDTH; j++) variance += Math.pow(x[base + j] - mean, 2) / WIDTH;
      double[] normalized = new double[WIDTH];
      for (int j = 0; j < WIDTH; j++) {
        normalized[j] = (x[base + j] - mean) / Math.sqrt(variance + 1e-5) * SCALE.data()[j] + BIAS.data()[j];
      }
      double[] hidden = new double[HIDDEN];
      for (int k = 0; k < HIDDEN; k++) {
        double h = B1.data()[k];
        for (int j = 0; j < WIDTH; j++) h += normalized[j] * W1.get(j, k);
        hidden[k] = h * 0.5 * (1 + erf(h / Math.sqrt(2)));
      }
      for (int j = 0; j < WIDTH; j++) {
        double out = x[base + j];
        for (int k = 0; k < HIDDEN; k++) out += hidden[k] * W2.get(k, j);
        y[base + j] = (float) out;
      }
    }
    return y;
  }

  /** erf by Simpson's rule on its defining integral: slow, independent of the engine, and exact to 1e-12 here. */
  private static double erf(double z) {
    int steps = 2000;
    double h = z / steps;
    double sum = 0;
    for (int i = 0; i <= steps; i++) {
      double weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
      sum += weight * Math.exp(-Math.pow(i * h, 2));
    }
    return 2 / Math.sqrt(Math.PI) * sum * h / 3;
  }

  @Test
  void bothGraphsMatchTheNaiveComputation() {
    float[] expected = naive();
    assertArrayEquals(expected, fused().predict(X).data(), 1e-4f);
    assertArrayEquals(expected, decomposed().predict(X).data(), 1e-4f);
  }

  @Test
  void bothGraphsHaveTheSameGradients() {
    Tensor seed = GradCheck.randn(7, 0, X.shape());
    Map<String, Tensor> a = gradients(fused(), seed);
    Map<String, Tensor> b = gradients(decomposed(), seed);
    for (String wrt : List.of("x", "scale", "bias", "w1")) {
      assertEquals(a.get(wrt).size(), b.get(wrt).size());
      assertArrayEquals(b.get(wrt).data(), a.get(wrt).data(), 1e-4f, wrt);
    }
  }

  private static Map<String, Tensor> gradients(Network network, Tensor seed) {
    Trace trace = network.forward(Map.of("x", X), ForwardOptions.forBackward());
    return network.backward(trace, Map.of(network.outputName(), seed), List.of("x", "scale", "bias", "w1"),
        BackwardRules.DEFAULT);
  }
}
