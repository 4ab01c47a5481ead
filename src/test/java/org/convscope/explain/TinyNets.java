package org.convscope.explain;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.ops.StandardOps;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/** Small hand-built networks whose explanations can be worked out by hand. */
public final class TinyNets {
  /** The classifier of the pooled models: 3 classes by 2 channels. */
  static final float[][] W = {{1f, -2f}, {0.5f, 1f}, {-1f, 0.25f}};
  static final float[] BIAS = {0.1f, -0.2f, 0.3f};

  private TinyNets() {}

  /** x [N,2,4,4] -> Relu (module "features") -> mean over space -> Gemm -> logits [N,3]. */
  public static Model pooledLinear() {
    GraphBuilder b = new GraphBuilder("pooled-linear", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String a = b.node("Relu", "/features/Relu", List.of(x), Map.of());
    return head(b, a, "pooled-linear");
  }

  /**
   * x [N,2,4,4] -> Relu (module "features") -> squared (module "square") -> mean over space -> Gemm. The
   * gradient at "features" varies with position: dY_c/dA_k = 2 W_ck A_k / 16.
   */
  public static Model squaredHead() {
    GraphBuilder b = new GraphBuilder("squared-head", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String a = b.node("Relu", "/features/Relu", List.of(x), Map.of());
    String s = b.node("Mul", "/square/Mul", List.of(a, a), Map.of());
    return head(b, s, "squared-head");
  }

  /**
   * x [N,2,8,8] -> every other row and column -> Relu (module "features", 4x4) -> squared -> mean over space ->
   * Gemm: the layer has half the input's resolution.
   */
  public static Model stridedSquaredHead() {
    GraphBuilder b = new GraphBuilder("strided-squared-head", 13);
    String x = b.input("input", -1, 2, 8, 8);
    b.initializer("starts", Tensor.vector(0, 0));
    b.initializer("ends", Tensor.vector(8, 8));
    b.initializer("axes", Tensor.vector(2, 3));
    b.initializer("steps", Tensor.vector(2, 2));
    String half = b.node("Slice", "/stem/Slice", List.of(x, "starts", "ends", "axes", "steps"), Map.of());
    String a = b.node("Relu", "/features/Relu", List.of(half), Map.of());
    String s = b.node("Mul", "/square/Mul", List.of(a, a), Map.of());
    return head(b, s, "strided-squared-head");
  }

  /** x [N,2,4,4] -> Relu -> mean over space -> Relu -> Gemm: a pooled model whose head is not linear. */
  public static Model pooledThenRelu() {
    GraphBuilder b = new GraphBuilder("pooled-relu", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String a = b.node("Relu", "/features/Relu", List.of(x), Map.of());
    String p = b.node("ReduceMean", "/pool/ReduceMean", List.of(a), Map.of("axes", new long[] {2, 3}, "keepdims", 0L));
    String r = b.node("Relu", "/act/Relu", List.of(p), Map.of());
    return classifier(b, r, "pooled-relu");
  }

  private static Model head(GraphBuilder b, String layer, String name) {
    String p = b.node("ReduceMean", "/pool/ReduceMean", List.of(layer), Map.of("axes", new long[] {2, 3}, "keepdims", 0L));
    return classifier(b, p, name);
  }

  private static Model classifier(GraphBuilder b, String pooled, String name) {
    float[] w = new float[6];
    for (int c = 0; c < 3; c++) for (int k = 0; k < 2; k++) w[c * 2 + k] = W[c][k];
    b.initializer("fc.weight", Tensor.of(w, 3, 2));
    b.initializer("fc.bias", Tensor.of(BIAS.clone(), 3));
    String y = b.node("Gemm", "/fc/Gemm", List.of(pooled, "fc.weight", "fc.bias"), Map.of("transB", 1L));
    b.output(y);
    return new Model(b.build(StandardOps.registry()), name);
  }

  /**
   * x [N,1,16,16] -> the 4x4 region at rows 4-7, columns 8-11 -> its mean m -> logits (3m, -3m). Nothing
   * outside the region matters.
   */
  public static Model regionOnly() {
    GraphBuilder b = new GraphBuilder("region-only", 13);
    String x = b.input("input", -1, 1, 16, 16);
    b.initializer("starts", Tensor.vector(4, 8));
    b.initializer("ends", Tensor.vector(8, 12));
    b.initializer("axes", Tensor.vector(2, 3));
    String crop = b.node("Slice", "/crop/Slice", List.of(x, "starts", "ends", "axes"), Map.of());
    String m = b.node("ReduceMean", "/pool/ReduceMean", List.of(crop), Map.of("axes", new long[] {2, 3}, "keepdims", 0L));
    b.initializer("fc.weight", Tensor.of(new float[] {3f, -3f}, 2, 1));
    String y = b.node("Gemm", "/fc/Gemm", List.of(m, "fc.weight"), Map.of("transB", 1L));
    b.output(y);
    return new Model(b.build(StandardOps.registry()), "region-only");
  }

  /** x [N,2,4,4] -> Relu (if {@code relu}) -> Flatten -> Gemm with {@link #linearWeights}: logits [N,3]. */
  public static Model linear(boolean relu) {
    GraphBuilder b = new GraphBuilder("linear", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String a = relu ? b.node("Relu", "/features/Relu", List.of(x), Map.of()) : x;
    String f = b.node("Flatten", "/flatten/Flatten", List.of(a), Map.of());
    b.initializer("fc.weight", linearWeights());
    String y = b.node("Gemm", "/fc/Gemm", List.of(f, "fc.weight"), Map.of("transB", 1L));
    b.output(y);
    return new Model(b.build(StandardOps.registry()), "linear");
  }

  /** x [N,2,4,4] -> Flatten -> Gemm (module fc1, 32 to 8) -> Relu -> Gemm (module fc2, 8 to 3). */
  public static Model twoLayers() {
    GraphBuilder b = new GraphBuilder("two-layers", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String f = b.node("Flatten", "/flatten/Flatten", List.of(x), Map.of());
    b.initializer("fc1.weight", random(7, 8, 32));
    b.initializer("fc1.bias", random(8, 8));
    String h = b.node("Gemm", "/fc1/Gemm", List.of(f, "fc1.weight", "fc1.bias"), Map.of("transB", 1L));
    String r = b.node("Relu", "/act/Relu", List.of(h), Map.of());
    b.initializer("fc2.weight", random(9, 3, 8));
    String y = b.node("Gemm", "/fc2/Gemm", List.of(r, "fc2.weight"), Map.of("transB", 1L));
    b.output(y);
    return new Model(b.build(StandardOps.registry()), "two-layers");
  }

  /** The weights of {@link #linear}: [3, 32], mixed signs. */
  static Tensor linearWeights() {
    return random(99, 3, 32);
  }

  /** Standard normal values from a seed. */
  public static Tensor random(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    SplittableRandom r = new SplittableRandom(seed);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
    return t;
  }
}
