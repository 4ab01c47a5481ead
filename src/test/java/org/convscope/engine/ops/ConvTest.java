package org.convscope.engine.ops;

import static org.convscope.engine.ops.ConvTesting.assertClose;
import static org.convscope.engine.ops.ConvTesting.ints;
import static org.convscope.engine.ops.ConvTesting.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.engine.dnnl.Convolution;
import org.convscope.engine.dnnl.Dnnl;
import org.convscope.engine.dnnl.WeightCache;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConvTest {
  private static final ExecutionContext CTX = ExecutionContext.inference();
  /** Training runs use oneDNN's forward-training primitives, another implementation and layout. */
  private static final ExecutionContext TRAINING = ExecutionContext.training();

  private static Tensor run(Op op, Tensor... inputs) {
    return op.forward(CTX, inputs)[0];
  }

  /** Conv with explicit pads against the reference, with and without bias, in inference and training runs. */
  private static void checkExplicit(int[] xShape, int[] wShape, int group, int[] strides, int[] dilations,
      int[] padBegin, int[] padEnd) {
    Tensor x = GradCheck.randn(1, 0, xShape);
    Tensor w = GradCheck.randn(2, 0, wShape);
    Tensor b = GradCheck.randn(3, 0, wShape[0]);
    int[] pads = new int[2 * padBegin.length];
    System.arraycopy(padBegin, 0, pads, 0, padBegin.length);
    System.arraycopy(padEnd, 0, pads, padBegin.length, padEnd.length);
    Op op = new Conv(spec("Conv", "group", group, "strides", strides, "dilations", dilations, "pads", pads));
    Tensor withBias = ConvReference.conv(x, w, b, group, strides, dilations, padBegin, padEnd);
    Tensor withoutBias = ConvReference.conv(x, w, null, group, strides, dilations, padBegin, padEnd);
    assertClose(withBias, run(op, x, w, b));
    assertClose(withoutBias, run(op, x, w));
    assertClose(withBias, op.forward(TRAINING, new Tensor[] {x, w, b})[0]);
    assertClose(withoutBias, op.forward(TRAINING, new Tensor[] {x, w})[0]);
  }

  @Test
  void forwardMatchesReference() {
    checkExplicit(ints(1, 3, 7, 9), ints(4, 3, 3, 3), 1, ints(1, 1), ints(1, 1), ints(1, 1), ints(1, 1));
    checkExplicit(ints(2, 3, 11, 8), ints(5, 3, 3, 2), 1, ints(2, 3), ints(1, 1), ints(0, 2), ints(1, 1));
    checkExplicit(ints(1, 2, 9, 10), ints(3, 2, 3, 3), 1, ints(1, 2), ints(2, 3), ints(2, 1), ints(0, 3));
    checkExplicit(ints(3, 4, 6, 7), ints(6, 2, 3, 3), 2, ints(1, 1), ints(1, 1), ints(1, 0), ints(1, 2));
    checkExplicit(ints(1, 16, 9, 9), ints(32, 1, 1, 1), 16, ints(2, 2), ints(1, 1), ints(0, 0), ints(0, 0));
    checkExplicit(ints(1, 64, 14, 14), ints(64, 64, 3, 3), 1, ints(1, 1), ints(1, 1), ints(1, 1), ints(1, 1));
    checkExplicit(ints(1, 32, 13, 13), ints(16, 32, 1, 1), 1, ints(1, 1), ints(1, 1), ints(0, 0), ints(0, 0));
  }

  @Test
  void depthwiseMatchesReference() {
    checkExplicit(ints(2, 5, 8, 7), ints(5, 1, 3, 3), 5, ints(1, 1), ints(1, 1), ints(1, 1), ints(1, 1));
    checkExplicit(ints(1, 3, 9, 9), ints(6, 1, 5, 3), 3, ints(2, 1), ints(1, 2), ints(2, 0), ints(1, 2));
    checkExplicit(ints(1, 32, 15, 15), ints(32, 1, 3, 3), 32, ints(2, 2), ints(1, 1), ints(1, 1), ints(1, 1));
  }

  @Test
  void oneAndThreeSpatialAxes() {
    checkExplicit(ints(2, 3, 11), ints(4, 3, 3), 1, ints(2), ints(1), ints(1), ints(2));
    checkExplicit(ints(1, 4, 13), ints(4, 2, 4), 2, ints(1), ints(3), ints(0), ints(3));
    checkExplicit(ints(1, 2, 4, 5, 6), ints(3, 2, 2, 3, 2), 1, ints(1, 2, 1), ints(1, 1, 2), ints(0, 1, 1),
        ints(1, 1, 0));
  }

  @Test
  void autoPadChoosesOnnxPads() {
    Tensor x = GradCheck.randn(4, 0, 1, 2, 7, 8);
    Tensor w = GradCheck.randn(5, 0, 3, 2, 4, 3);
    // SAME with stride 2: out = ceil(in / 2) = 4 x 4; total pad H = 3*2 + 4 - 7 = 3, W = 3*2 + 3 - 8 = 1.
    Op upper = new Conv(spec("Conv", "auto_pad", "SAME_UPPER", "strides", ints(2, 2)));
    assertClose(ConvReference.conv(x, w, null, 1, ints(2, 2), ints(1, 1), ints(1, 0), ints(2, 1)), run(upper, x, w));
    Op lower = new Conv(spec("Conv", "auto_pad", "SAME_LOWER", "strides", ints(2, 2)));
    assertClose(ConvReference.conv(x, w, null, 1, ints(2, 2), ints(1, 1), ints(2, 1), ints(1, 0)), run(lower, x, w));
    Op valid = new Conv(spec("Conv", "auto_pad", "VALID", "strides", ints(2, 2)));
    assertClose(ConvReference.conv(x, w, null, 1, ints(2, 2), ints(1, 1), ints(0, 0), ints(0, 0)), run(valid, x, w));
    assertArrayEquals(ints(1, 3, 4, 4), run(upper, x, w).shape());
    assertArrayEquals(ints(1, 3, 2, 3), run(valid, x, w).shape());
  }

  @Test
  void handComputedExample() {
    // ONNX's basic example: 5x5 ramp, 3x3 kernel of ones, one pixel of padding.
    float[] ramp = new float[25];
    for (int i = 0; i < 25; i++) ramp[i] = i;
    Tensor x = Tensor.of(ramp, 1, 1, 5, 5);
    Tensor w = Tensor.full(1, 1, 1, 3, 3);
    Tensor y = run(new Conv(spec("Conv", "pads", ints(1, 1, 1, 1))), x, w);
    assertArrayEquals(new float[] {
        12, 21, 27, 33, 24,
        33, 54, 63, 72, 51,
        63, 99, 108, 117, 81,
        93, 144, 153, 162, 111,
        72, 111, 117, 123, 84}, y.data());
    Tensor strided = run(new Conv(spec("Conv", "strides", ints(2, 2))), x, w, Tensor.of(new float[] {0.5f}, 1));
    assertArrayEquals(new float[] {54.5f, 72.5f, 144.5f, 162.5f}, strided.data());
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Op op = new Conv(spec("Conv", "group", 2, "strides", ints(2, 1), "dilations", ints(1, 2),
        "pads", ints(1, 0, 0, 2)));
    GradCheck.check(op, GradCheck.randn(6, 0, 1, 4, 3, 5), GradCheck.randn(7, 0, 4, 2, 3, 2),
        GradCheck.randn(8, 0, 4));
    Op oneD = new Conv(spec("Conv", "pads", ints(2, 1)));
    GradCheck.check(oneD, GradCheck.randn(12, 0, 1, 2, 7), GradCheck.randn(13, 0, 2, 2, 3));
  }

  @Test
  void gradientsPassTheAdjointTest() {
    ConvTesting.checkAdjoint(new Conv(spec("Conv", "group", 3, "auto_pad", "SAME_UPPER", "strides", ints(2, 2))),
        ints(2, 3, 7, 6), ints(6, 1, 4, 3), 6);
    ConvTesting.checkAdjoint(new Conv(spec("Conv", "group", 16, "pads", ints(1, 1, 1, 1))),
        ints(1, 16, 9, 9), ints(16, 1, 3, 3), 16);
    ConvTesting.checkAdjoint(new Conv(spec("Conv", "strides", ints(2, 2), "dilations", ints(2, 1),
        "pads", ints(0, 1, 2, 1))), ints(2, 32, 11, 10), ints(24, 32, 3, 3), 24);
    ConvTesting.checkAdjoint(new Conv(spec("Conv", "auto_pad", "SAME_LOWER")), ints(1, 2, 4, 5, 3),
        ints(3, 2, 2, 3, 2), 3);
  }

  @Test
  void backwardComputesOnlyWhatIsNeeded() {
    Op op = new Conv(spec("Conv", "pads", ints(1, 1, 1, 1)));
    Tensor x = GradCheck.randn(14, 0, 2, 3, 5, 5);
    Tensor w = GradCheck.randn(15, 0, 4, 3, 3, 3);
    Tensor b = GradCheck.randn(16, 0, 4);
    Tensor[] in = {x, w, b};
    Tensor[] out = op.forward(CTX, in);
    Tensor[] dy = {GradCheck.randn(17, 0, out[0].shape())};
    Tensor[] dataOnly = op.backward(CTX, in, out, dy, new boolean[] {true, false, false});
    assertNotNull(dataOnly[0]);
    assertNull(dataOnly[1]);
    assertNull(dataOnly[2]);
    Tensor[] all = op.backward(CTX, in, out, dy, new boolean[] {true, true, true});
    Tensor[] biasOnly = op.backward(CTX, in, out, dy, new boolean[] {false, false, true});
    assertNull(biasOnly[0]);
    assertNull(biasOnly[1]);
    assertClose(all[2], biasOnly[2]);
    assertClose(all[0], dataOnly[0]);
  }

  /** Training asks for both passes, which then share one staged copy of dy: the same bits as each pass alone. */
  @Test
  void bothPassesTogetherGiveTheBitsOfEachPassAlone() {
    Op op = new Conv(spec("Conv", "pads", ints(1, 1, 1, 1)));
    Tensor x = GradCheck.randn(24, 0, 4, 16, 9, 9);
    Tensor w = GradCheck.randn(25, 0, 24, 16, 3, 3);
    Tensor[] in = {x, w};
    Tensor[] out = op.forward(CTX, in);
    Tensor[] dy = {GradCheck.randn(26, 0, out[0].shape())};
    Tensor[] both = op.backward(CTX, in, out, dy, new boolean[] {true, true});
    Tensor dataAlone = op.backward(CTX, in, out, dy, new boolean[] {true, false})[0];
    Tensor weightsAlone = op.backward(CTX, in, out, dy, new boolean[] {false, true})[1];
    assertArrayEquals(dataAlone.data(), both[0].data());
    assertArrayEquals(weightsAlone.data(), both[1].data());
    assertClose(ConvReference.conv(x, w, null, 1, ints(1, 1), ints(1, 1), ints(1, 1), ints(1, 1)), out[0]);
  }

  @Test
  void inPlaceWeightUpdatesAreSeenAfterMarkModified() {
    Op op = new Conv(spec("Conv"));
    Tensor x = GradCheck.randn(18, 0, 1, 2, 4, 4);
    Tensor w = GradCheck.randn(19, 0, 3, 2, 2, 2);
    run(op, x, w);
    for (int i = 0; i < w.size(); i++) w.data()[i] *= 2;
    w.markModified();
    assertClose(ConvReference.conv(x, w, null, 1, ints(1, 1), ints(1, 1), ints(0, 0), ints(0, 0)), run(op, x, w));
  }

  @Test
  void concurrentCallsOnOneOpAgree() throws Exception {
    Op op = new Conv(spec("Conv", "pads", ints(1, 1, 1, 1), "strides", ints(1, 2)));
    Tensor w = GradCheck.randn(20, 0, 16, 8, 3, 3);
    Tensor b = GradCheck.randn(21, 0, 16);
    boolean[] dataOnly = {true, false, false};
    List<Tensor> inputs = new ArrayList<>();
    List<Tensor> expected = new ArrayList<>();
    List<Tensor> seeds = new ArrayList<>();
    List<Tensor> expectedGrads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Tensor x = GradCheck.randn(100 + i, 0, 1 + i % 2, 8, 11 + i, 12);
      Tensor y = ConvReference.conv(x, w, b, 1, ints(1, 2), ints(1, 1), ints(1, 1), ints(1, 1));
      Tensor dy = GradCheck.randn(200 + i, 0, y.shape());
      inputs.add(x);
      expected.add(y);
      seeds.add(dy);
      expectedGrads.add(op.backward(CTX, new Tensor[] {x, w, b}, new Tensor[] {y}, new Tensor[] {dy}, dataOnly)[0]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int start = t;
        results.add(pool.submit(() -> {
          for (int round = 0; round < 10; round++) {
            int i = (start + round) % inputs.size();
            Tensor[] in = {inputs.get(i), w, b};
            Tensor y = run(op, in);
            assertClose(expected.get(i), y);
            Tensor dx = op.backward(CTX, in, new Tensor[] {y}, new Tensor[] {seeds.get(i)}, dataOnly)[0];
            assertClose(expectedGrads.get(i), dx);
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) assertTrue(f.get());
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void releasingNativeResourcesLeavesTheOpWorking() {
    Op op = new Conv(spec("Conv", "pads", ints(1, 1, 1, 1)));
    Tensor x = GradCheck.randn(22, 0, 1, 16, 6, 6);
    Tensor w = GradCheck.randn(23, 0, 16, 16, 3, 3);
    Tensor before = run(op, x, w);
    Convolution.clearCache();
    WeightCache.shared().clear();
    Dnnl.releaseThreadResources();
    assertClose(before, run(op, x, w));
  }

  @Test
  void badAttributesFailAtLoadNamingTheNode() {
    InvalidModelException e = assertThrows(InvalidModelException.class,
        () -> new Conv(spec("Conv", "auto_pad", "SAME")));
    assertTrue(e.getMessage().contains("'n1'"), e.getMessage());
    assertThrows(InvalidModelException.class, () -> new Conv(spec("Conv", "pads", ints(-1, 0, 0, 0))));
    assertThrows(InvalidModelException.class, () -> new Conv(spec("Conv", "group", 0)));
    assertThrows(InvalidModelException.class, () -> new Conv(spec("Conv", "strides", ints(1, 1), "pads", ints(0, 0))));
    assertThrows(InvalidModelException.class, () -> new Conv(spec("Conv", "dilations", ints(0, 1))));
  }

  @Test
  void badShapesFailWithAClearMessage() {
    Op op = new Conv(spec("Conv"));
    IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
        () -> run(op, Tensor.zeros(1, 3, 5, 5), Tensor.zeros(2, 4, 3, 3)));
    assertTrue(channels.getMessage().contains("3 channels"), channels.getMessage());
    assertThrows(InvalidInputException.class, () -> run(op, Tensor.zeros(1, 3, 2, 5), Tensor.zeros(2, 3, 3, 3)));
    assertThrows(IllegalArgumentException.class,
        () -> run(op, Tensor.zeros(1, 3, 5, 5), Tensor.zeros(2, 3, 3, 3), Tensor.zeros(3)));
  }
}
