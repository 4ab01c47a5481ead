package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import java.util.Random;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Relu, Clip, same-shape Add and the other element-wise activations on tensors large enough to be split
 * across threads, against plain loops written here (or the activation's own loop over the whole array):
 * forward, backward and the guided and deconvnet rules, value for value.
 */
class ParallelElementwiseTest {
  private static final int[] SHAPE = {2, 16, 60, 61};

  private static Tensor random(long seed) {
    Random r = new Random(seed);
    float[] v = new float[2 * 16 * 60 * 61];
    // Exact zeros and the clip bounds themselves, where the rules change.
    for (int i = 0; i < v.length; i++) v[i] = i % 97 == 0 ? 0f : i % 89 == 0 ? 6f : (float) (4 * r.nextGaussian());
    return Tensor.of(v, SHAPE);
  }

  @Test
  void reluAndItsBackwardRules() {
    Tensor x = random(1);
    Tensor g = random(2);
    float[] xs = x.data();
    float[] gs = g.data();
    float[] y = new float[xs.length];
    float[] dx = new float[xs.length];
    float[] guided = new float[xs.length];
    float[] deconv = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      y[i] = xs[i] > 0 ? xs[i] : 0f;
      dx[i] = xs[i] > 0 ? gs[i] : 0f;
      guided[i] = xs[i] > 0 && gs[i] > 0 ? gs[i] : 0f;
      deconv[i] = gs[i] > 0 ? gs[i] : 0f;
    }
    Relu relu = new Relu();
    ExecutionContext c = ExecutionContext.inference();
    Tensor[] out = relu.forward(c, new Tensor[] {x});
    assertArrayEquals(y, out[0].data());
    Tensor[] in = {x};
    Tensor[] grads = {g};
    boolean[] needed = {true};
    assertArrayEquals(dx, relu.backward(c, in, out, grads, needed)[0].data());
    assertArrayEquals(guided, Relu.GUIDED.backward(c, relu, in, out, grads, needed)[0].data());
    assertArrayEquals(deconv, Relu.DECONVNET.backward(c, relu, in, out, grads, needed)[0].data());
  }

  @Test
  void clipAsReluSix() {
    Tensor x = random(3);
    Tensor g = random(4);
    float[] xs = x.data();
    float[] y = new float[xs.length];
    float[] dx = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      y[i] = Math.min(Math.max(xs[i], 0f), 6f);
      dx[i] = xs[i] > 0 && xs[i] < 6 ? g.data()[i] : 0f;
    }
    Op clip = PointwiseFixtures.create("Clip", 13, 3, Map.of());
    Tensor[] in = {x, Tensor.scalar(0), Tensor.scalar(6)};
    ExecutionContext c = ExecutionContext.inference();
    Tensor[] out = clip.forward(c, in);
    assertArrayEquals(y, out[0].data());
    assertArrayEquals(dx, clip.backward(c, in, out, new Tensor[] {g}, new boolean[] {true, false, false})[0].data());
  }

  @Test
  void addOfEqualShapes() {
    Tensor a = random(5);
    Tensor b = random(6);
    float[] sum = new float[a.size()];
    for (int i = 0; i < sum.length; i++) sum[i] = a.data()[i] + b.data()[i];
    assertArrayEquals(sum, new Add().forward(ExecutionContext.inference(), new Tensor[] {a, b})[0].data());
  }

  /** Split across cores, each activation gives the bits of one loop over the whole array. */
  @Test
  void activationsGiveTheBitsOfOneLoop() {
    Tensor x = random(7);
    Tensor g = random(8);
    float[] positive = x.data().clone();
    for (int i = 0; i < positive.length; i++) positive[i] = Math.abs(positive[i]) + 0.1f;
    ElementwiseActivation[] ops = {new Sigmoid(), new Tanh(), new Erf(), new Exp(), new Gelu(false), new Gelu(true),
        new Softplus(), new Elu(1f), new LeakyRelu(0.1f), new HardSwish(), new Abs(), new Neg(), new Sqrt(), new Log(),
        new Reciprocal()};
    ExecutionContext c = ExecutionContext.inference();
    for (ElementwiseActivation op : ops) {
      boolean needsPositive = op instanceof Sqrt || op instanceof Log || op instanceof Reciprocal;
      Tensor in = needsPositive ? Tensor.of(positive, SHAPE) : x;
      float[] v = in.data();
      float[] y = new float[v.length];
      op.apply(v, y, 0, v.length);
      Tensor[] out = op.forward(c, new Tensor[] {in});
      assertArrayEquals(y, out[0].data(), op.getClass().getSimpleName());
      float[] dx = new float[v.length];
      op.gradient(v, y, g.data(), dx, 0, v.length);
      assertArrayEquals(dx, op.backward(c, new Tensor[] {in}, out, new Tensor[] {g}, new boolean[] {true})[0].data(),
          op.getClass().getSimpleName());
    }
  }
}
