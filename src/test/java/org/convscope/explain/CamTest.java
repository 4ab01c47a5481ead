package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Trace;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CamTest {
  private static final Tensor X = TinyNets.random(1, 3, 2, 4, 4);

  /** relu(sum_k W[c][k] relu(x)_k) at each position, worked out directly. */
  private static float[] handCam(Tensor x, int[] targets) {
    float[] v = x.data();
    float[] cam = new float[3 * 16];
    for (int i = 0; i < 3; i++) {
      for (int p = 0; p < 16; p++) {
        float s = 0;
        for (int k = 0; k < 2; k++) s += TinyNets.W[targets[i]][k] * Math.max(0f, v[(i * 2 + k) * 16 + p]);
        cam[i * 16 + p] = Math.max(0f, s);
      }
    }
    return cam;
  }

  @Test
  void camAndGradCamMatchTheHandComputationAndDifferByThePoolSize() {
    Model model = TinyNets.pooledLinear();
    int[] targets = {0, 1, 2};
    Query query = Query.forClasses(model, X, targets, "features");
    float[] expected = handCam(X, targets);
    Attribution cam = new Cam().explain(query);
    Attribution gradCam = new GradCam().explain(query);
    assertArrayEquals(new int[] {3, 4, 4}, cam.map().shape());
    assertArrayEquals(expected, cam.map().data(), 1e-6f);
    float[] scaled = new float[expected.length];
    for (int i = 0; i < scaled.length; i++) scaled[i] = gradCam.map().data()[i] * 16;
    assertArrayEquals(expected, scaled, 1e-5f, "Grad-CAM is CAM divided by the 4x4 positions");
    assertTrue(max(expected) > 0, "the test input must give a non-trivial map");
  }

  @Test
  void camFindsTheDefaultLayerAndSaysSo() {
    Query query = Query.predicted(TinyNets.pooledLinear(), X, null);
    Layer layer = query.layer();
    assertEquals("features", layer.name());
    assertEquals("/features/Relu_output_0", layer.tensor());
    assertTrue(layer.automatic());
    assertTrue(layer.describe().contains("chosen automatically"), layer.describe());
    assertArrayEquals(handCam(X, query.targets()), new Cam().explain(query).map().data(), 1e-6f);
  }

  @Test
  void predictedTargetsAreTheArgmax() {
    Model model = TinyNets.pooledLinear();
    Tensor logits = model.network().predict(X);
    int[] targets = Query.predicted(model, X, null).targets();
    for (int i = 0; i < 3; i++) {
      for (int c = 0; c < 3; c++) assertTrue(logits.get(i, c) <= logits.get(i, targets[i]));
    }
  }

  @Test
  void camWithoutALinearHeadIsAClearError() {
    Query query = Query.forClass(TinyNets.pooledThenRelu(), X, 0, "features");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Cam().explain(query));
    assertTrue(e.getMessage().startsWith("CAM needs global average pooling then a linear classifier right after layer 'features'"),
        e.getMessage());
    assertTrue(e.getMessage().contains("Relu '/act/Relu'"), e.getMessage());
    assertTrue(max(new GradCam().explain(query).map().data()) >= 0, "Grad-CAM still works");
  }

  @Test
  void layerWithoutSpatialExtentIsAClearError() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Query.forClass(TinyNets.pooledLinear(), X, 0, "pool"));
    assertEquals("layer 'pool' has shape [3,2] without spatial extent; class activation maps need a layer of shape "
        + "[N,C,H,W] with H or W above 1", e.getMessage());
  }

  @Test
  void classOutOfRangeIsAClearError() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Query.forClass(TinyNets.pooledLinear(), X, 3, null));
    assertEquals("class 3 is out of range: the model has 3 classes (0 to 2)", e.getMessage());
  }

  /** The gradient of one item's target score at the layer, by its own unbatched backward pass. */
  private static float[] itemGradient(Model model, Tensor x, int item, int target, String tensor) {
    Tensor one = x.slice0(item, item + 1);
    Trace trace = model.network().forward(Map.of("input", one), ForwardOptions.forBackward());
    Tensor seed = Tensor.zeros(1, 3);
    seed.data()[target] = 1;
    return model.network().backward(trace, Map.of(model.output(), seed), List.of(tensor), BackwardRules.DEFAULT)
        .get(tensor).data();
  }

  private static float[] itemActivations(Model model, Tensor x, int item, String tensor) {
    return model.network().forward(Map.of("input", x.slice0(item, item + 1)), ForwardOptions.keeping(tensor))
        .get(tensor).data();
  }

  @Test
  void gradCamPlusPlusMatchesADirectReference() {
    Model model = TinyNets.squaredHead();
    int[] targets = {0, 1, 2};
    Query query = Query.forClasses(model, X, targets, "features");
    String layer = query.layer().tensor();
    float[] map = new GradCamPlusPlus().explain(query).map().data();
    for (int i = 0; i < 3; i++) {
      float[] a = itemActivations(model, X, i, layer);
      float[] g = itemGradient(model, X, i, targets[i], layer);
      double[] cam = new double[16];
      for (int k = 0; k < 2; k++) {
        double sumA = 0;
        for (int p = 0; p < 16; p++) sumA += a[k * 16 + p];
        double w = 0;
        for (int p = 0; p < 16; p++) {
          double gp = g[k * 16 + p];
          double denominator = 2 * gp * gp + sumA * gp * gp * gp;
          if (denominator != 0) w += gp * gp / denominator * Math.max(0, gp);
        }
        for (int p = 0; p < 16; p++) cam[p] += w * a[k * 16 + p];
      }
      for (int p = 0; p < 16; p++) assertEquals(Math.max(0, cam[p]), map[i * 16 + p], 1e-5, "item " + i + " position " + p);
    }
    assertTrue(max(map) > 0);
  }

  @Test
  void layerCamMatchesADirectReference() {
    Model model = TinyNets.squaredHead();
    int[] targets = {2, 0, 1};
    Query query = Query.forClasses(model, X, targets, "features");
    String layer = query.layer().tensor();
    float[] map = new LayerCam().explain(query).map().data();
    for (int i = 0; i < 3; i++) {
      float[] a = itemActivations(model, X, i, layer);
      float[] g = itemGradient(model, X, i, targets[i], layer);
      for (int p = 0; p < 16; p++) {
        double s = 0;
        for (int k = 0; k < 2; k++) s += Math.max(0, g[k * 16 + p]) * a[k * 16 + p];
        assertEquals(Math.max(0, s), map[i * 16 + p], 1e-6);
      }
    }
    assertTrue(max(map) > 0);
  }

  /** Bilinear upsampling with half-pixel centres, written out pixel by pixel. */
  private static double bilinearAt(float[] src, int offset, int h, int w, int height, int width, int y, int x) {
    double sy = Math.max(0, (y + 0.5) * h / height - 0.5);
    double sx = Math.max(0, (x + 0.5) * w / width - 0.5);
    int y0 = (int) Math.floor(sy);
    int x0 = (int) Math.floor(sx);
    int y1 = Math.min(y0 + 1, h - 1);
    int x1 = Math.min(x0 + 1, w - 1);
    double fy = sy - y0;
    double fx = sx - x0;
    double top = src[offset + y0 * w + x0] * (1 - fx) + src[offset + y0 * w + x1] * fx;
    double bottom = src[offset + y1 * w + x0] * (1 - fx) + src[offset + y1 * w + x1] * fx;
    return top * (1 - fy) + bottom * fy;
  }

  @Test
  void scoreCamMatchesADirectUnbatchedReference() {
    Model model = TinyNets.stridedSquaredHead();
    Tensor x = TinyNets.random(5, 2, 2, 8, 8);
    int[] targets = {1, 2};
    Query query = Query.forClasses(model, x, targets, "features");
    float[] map = new ScoreCam(new ScoreCam.Options(3)).explain(query).map().data();
    String layer = query.layer().tensor();
    for (int i = 0; i < 2; i++) {
      float[] a = itemActivations(model, x, i, layer);
      double[] cam = new double[16];
      for (int k = 0; k < 2; k++) {
        double[] up = new double[64];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < 64; p++) {
          up[p] = bilinearAt(a, k * 16, 4, 4, 8, 8, p / 8, p % 8);
          min = Math.min(min, up[p]);
          max = Math.max(max, up[p]);
        }
        if (max == min) continue;
        Tensor masked = Tensor.zeros(1, 2, 8, 8);
        for (int c = 0; c < 2; c++) {
          for (int p = 0; p < 64; p++) {
            masked.data()[c * 64 + p] = (float) (x.data()[(i * 2 + c) * 64 + p] * (up[p] - min) / (max - min));
          }
        }
        float[] logits = model.network().predict(masked).data();
        double z = 0;
        for (float l : logits) z += Math.exp(l);
        double weight = Math.exp(logits[targets[i]]) / z;
        for (int p = 0; p < 16; p++) cam[p] += weight * a[k * 16 + p];
      }
      for (int p = 0; p < 16; p++) assertEquals(Math.max(0, cam[p]), map[i * 16 + p], 1e-5);
    }
    assertTrue(max(map) > 0);
  }

  @Test
  void camTypeMapsAreFiniteAndNonNegative() {
    Query query = Query.forClasses(TinyNets.squaredHead(), X, new int[] {0, 1, 2}, null);
    for (ChannelWeightedCam method : List.of(new Cam(), new GradCam(), new GradCamPlusPlus(), new LayerCam(),
        new ScoreCam(ScoreCam.Options.defaults()))) {
      Attribution a = method.explain(query);
      assertEquals(MapKind.LAYER, a.kind());
      assertArrayEquals(new int[] {3, 4, 4}, a.map().shape(), method.name());
      for (float v : a.map().data()) assertTrue(Float.isFinite(v) && v >= 0, method.name() + " gave " + v);
    }
  }

  static float max(float[] v) {
    float m = Float.NEGATIVE_INFINITY;
    for (float f : v) m = Math.max(m, f);
    return m;
  }
}
