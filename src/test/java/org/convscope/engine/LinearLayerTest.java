package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.dnnl.MatrixProduct;
import org.convscope.engine.ops.Linear;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Linear layers as torch.onnx writes them, MatMul by a weight, Add of a bias, then a GELU (one node or five) or
 * none: the network runs them as one {@link Linear}, through oneDNN's matmul with the bias and GELU applied as
 * it writes when the product is large enough. Values and gradients must match a computation in double and the
 * same nodes run one by one (a run that keeps the tensors inside the group runs them so).
 */
class LinearLayerTest {
  /** 2 x 40 rows of 64, times 64 x 96: 245,760 multiply-adds, through oneDNN. */
  private static final int K = 64;
  private static final int N = 96;
  private static final Tensor X = GradCheck.randn(1, 0, 2, 40, K);
  private static final Tensor W = scaled(GradCheck.randn(2, 0, K, N), 0.2f);
  private static final Tensor B = GradCheck.randn(3, 0, N);

  enum Form {
    /** The five nodes torch.onnx writes before opset 20, bias added second. */
    FIVE_NODE_GELU,
    /** One Gelu node (opset 20), the bias first in the Add and passed through an Identity. */
    GELU_NODE,
    /** No GELU: a Relu reads the bias's sum. */
    NO_GELU
  }

  /** {@code inner}: the product, a tensor inside the group. */
  private record Built(Graph graph, Network network, String inner, String output) {}

  private static Built build(Form form) {
    GraphBuilder b = new GraphBuilder("linear", form == Form.GELU_NODE ? 20 : 13);
    b.input("x", -1, 40, K);
    b.initializer("w", W);
    b.initializer("b", B);
    String product = b.node("MatMul", "/fc/MatMul", List.of("x", "w"), Map.of());
    String sum;
    String out;
    switch (form) {
      case FIVE_NODE_GELU -> {
        sum = b.node("Add", "/fc/Add", List.of(product, "b"), Map.of());
        b.initializer("sqrt2", Tensor.scalar((float) Math.sqrt(2)));
        b.initializer("one", Tensor.scalar(1));
        b.initializer("half", Tensor.scalar(0.5f));
        String erf = b.node("Erf", "/act/Erf", List.of(b.node("Div", "/act/Div", List.of(sum, "sqrt2"), Map.of())), Map.of());
        String plusOne = b.node("Add", "/act/Add", List.of(erf, "one"), Map.of());
        String times = b.node("Mul", "/act/Mul", List.of(sum, plusOne), Map.of());
        out = b.node("Mul", "/act/Mul_1", List.of(times, "half"), Map.of());
      }
      case GELU_NODE -> {
        String bias = b.node("Identity", "/fc/Identity", List.of("b"), Map.of());
        sum = b.node("Add", "/fc/Add", List.of(bias, product), Map.of());
        out = b.node("Gelu", "/act/Gelu", List.of(sum), Map.of());
      }
      default -> {
        sum = b.node("Add", "/fc/Add", List.of(product, "b"), Map.of());
        out = b.node("Relu", "/act/Relu", List.of(sum), Map.of());
      }
    }
    Graph graph = b.output(out).build(StandardOps.registry());
    return new Built(graph, new Network(graph), product, out);
  }

  /** The layer in double: gelu(x W + b), or relu. */
  private static float[] naive(boolean gelu) {
    int rows = X.size() / K;
    float[] y = new float[rows * N];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < N; j++) {
        double z = B.data()[j];
        for (int p = 0; p < K; p++) z += (double) X.data()[r * K + p] * W.get(p, j);
        y[r * N + j] = (float) (gelu ? z * normalCdf(z) : Math.max(0, z));
      }
    }
    return y;
  }

  /** Phi(z) from erfc's continued fraction (Lentz): independent of the engine, to 1e-14 here. */
  private static double normalCdf(double z) {
    double a = Math.abs(z) / Math.sqrt(2);
    if (a < 2) { // the series of erf converges fast here
      double term = a;
      double sum = a;
      for (int n = 1; n < 60; n++) {
        term *= -a * a / n;
        sum += term / (2 * n + 1);
      }
      double erf = 2 / Math.sqrt(Math.PI) * sum;
      return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }
    double f = a;
    double c = a;
    double d = 0;
    for (int n = 1; n < 200; n++) {
      double an = n / 2.0;
      d = a + an * d;
      d = 1 / d;
      c = a + an / c;
      f *= c * d;
    }
    double erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    return z >= 0 ? 1 - erfc / 2 : erfc / 2;
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void theMatMulRecognizesTheLayer(Form form) {
    Graph graph = build(form).graph();
    Node matmul = graph.nodes().stream().filter(n -> n.opType().equals("MatMul")).findFirst().orElseThrow();
    // Following Identity nodes to the initializer, as the network does.
    CompositeAnchor.Composite c = ((CompositeAnchor) matmul.op()).composite(graph, matmul, name -> {
      Node producer = graph.producer(name);
      return graph.initializers().get(producer != null && producer.opType().equals("Identity") ? producer.input(0) : name);
    });
    assertEquals(form == Form.FIVE_NODE_GELU ? 7 : form == Form.GELU_NODE ? 3 : 2, c.nodes().size());
    assertEquals(form != Form.NO_GELU, ((Linear) c.op()).gelu());
    assertEquals("x", c.inputs().get(0));
    assertEquals("w", c.inputs().get(1));
    // Without a constant bias there is no layer.
    assertNull(((CompositeAnchor) matmul.op()).composite(graph, matmul, name -> name.equals("w") ? W : null));
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void runsAsOneLayerAndMatchesDoubleAndTheNodesOneByOne(Form form) {
    Built built = build(form);
    Tensor fused = built.network().predict(X);
    float[] expected = naive(form != Form.NO_GELU);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], fused.data()[i], 2e-5 * (1 + Math.abs(expected[i])), "value " + i);
    }
    // Keeping the product makes the group run node by node.
    try (Trace trace = built.network().forward(Map.of("x", X), ForwardOptions.keeping(built.inner()))) {
      float[] byNodes = trace.get(built.output()).data();
      for (int i = 0; i < expected.length; i++) {
        assertEquals(byNodes[i], fused.data()[i], 2e-5 * (1 + Math.abs(byNodes[i])), "value " + i);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void gradientsMatchTheNodesOneByOne(Form form) {
    Built built = build(form);
    Network network = built.network();
    Tensor seed = GradCheck.randn(7, 0, 2, 40, N);
    List<String> wrt = List.of("x", "w", "b");
    Map<String, Tensor> fused;
    try (Trace trace = network.forward(Map.of("x", X), ForwardOptions.forBackward())) {
      fused = network.backward(trace, Map.of(built.output(), seed), wrt, BackwardRules.DEFAULT);
    }
    Map<String, Tensor> byNodes;
    try (Trace trace = network.forward(Map.of("x", X), new ForwardOptions(Set.of(built.inner()), true, false))) {
      assertTrue(trace.has(built.inner()));
      // Asking for the product's gradient too keeps the backward pass from taking the group whole.
      byNodes = network.backward(trace, Map.of(built.output(), seed), List.of("x", "w", "b", built.inner()),
          BackwardRules.DEFAULT);
    }
    for (String name : wrt) {
      float[] a = fused.get(name).data();
      float[] e = byNodes.get(name).data();
      double scale = 0;
      for (float v : e) scale = Math.max(scale, Math.abs(v));
      for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 * scale, name + " " + i);
    }
  }

  /** What {@link Activation.Kind#GELU} documents of oneDNN's kernel, through a product by the identity. */
  @Test
  void oneDnnsGeluIsWithinAFewMillionthsAbsolutely() {
    int n = 64;
    int m = 4096;
    Tensor identity = Tensor.zeros(n, n);
    for (int i = 0; i < n; i++) identity.data()[i * n + i] = 1;
    float[] x = new float[m * n];
    for (int i = 0; i < x.length; i++) x[i] = -12f + 24f * i / x.length;
    float[] y = MatrixProduct.linear(x, identity, new float[n], Activation.of(Activation.Kind.GELU), m, n, n, null);
    double worstAbsolute = 0;
    double worstRelativeAboveMinusThree = 0;
    for (int i = 0; i < x.length; i++) {
      double expected = x[i] * normalCdf(x[i]);
      worstAbsolute = Math.max(worstAbsolute, Math.abs(y[i] - expected));
      if (x[i] > -3 && expected != 0) {
        worstRelativeAboveMinusThree = Math.max(worstRelativeAboveMinusThree, Math.abs(y[i] / expected - 1));
      }
    }
    // AVX2's kernel: 4e-7 and 1e-4; AVX-512's: 1.13e-6 (at x = 2.975) and 2.2e-4.
    assertTrue(worstAbsolute < 1.5e-6, "worst absolute error " + worstAbsolute);
    assertTrue(worstRelativeAboveMinusThree < 3e-4, "worst relative error above -3: " + worstRelativeAboveMinusThree);
  }

  @Test
  void theOpAloneMatchesFiniteDifferencesWithAndWithoutWhatItKept() {
    // Small enough for Java's product: the GELU's derivative computed again from x W + b.
    Tensor x = GradCheck.randn(11, 0, 3, 5);
    Tensor w = GradCheck.randn(12, 0, 5, 4);
    Tensor b = GradCheck.randn(13, 0, 4);
    for (boolean gelu : new boolean[] {true, false}) {
      GradCheck.check(new Linear(gelu), x, w, b);
      GradCheck.check(new Linear(gelu), ExecutionContext.recording(), new Tensor[] {x, w, b},
          new boolean[] {true, true, true}, 1e-2, 2e-2);
    }
    // Large enough for oneDNN, where the forward pass applies the GELU as a post-op.
    Tensor bigX = GradCheck.randn(14, 0, 30, 48);
    Tensor bigW = scaled(GradCheck.randn(15, 0, 48, 40), 0.2f);
    GradCheck.check(new Linear(true), ExecutionContext.inference(), new Tensor[] {bigX, bigW, GradCheck.randn(16, 0, 40)},
        new boolean[] {true, true, true}, 1e-2, 2e-2);
  }

  private static Tensor scaled(Tensor t, float factor) {
    for (int i = 0; i < t.size(); i++) t.data()[i] *= factor;
    return t;
  }
}
