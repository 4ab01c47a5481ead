package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.Parallel;
import org.convscope.tensor.Tensor;

/**
 * Base of the activations that map each float element on its own. Subclasses loop over ranges of whole
 * arrays, so each inner loop is compiled for one function instead of calling through a per-element
 * interface; big tensors are split into one range per core, which leaves every element's bits as they are.
 */
abstract class ElementwiseActivation implements Op {
  /** The grain of functions that cost tens of cycles an element (exp, erf): they pay for a thread sooner. */
  static final int COSTLY_GRAIN = Parallel.ELEMENTWISE_GRAIN / 8;

  /** Writes f(x) into {@code y} for the indices [from, to). */
  abstract void apply(float[] x, float[] y, int from, int to);

  /**
   * Writes dy * f'(x) into {@code dx} for the indices [from, to), which start as zeros; {@code y} holds f(x),
   * often the cheaper way to the derivative.
   */
  abstract void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to);

  /** Writes the elements [from, to) of {@code out}. */
  @FunctionalInterface
  interface RangeWriter {
    void write(float[] out, int from, int to);
  }

  /** A new tensor of {@code like}'s shape, written range by range on every core (see {@link #grain}). */
  Tensor written(Tensor like, RangeWriter body) {
    float[] out = new float[like.size()];
    Parallel.forRange(out.length, grain(), (from, to) -> body.write(out, from, to));
    return Tensor.of(out, like.shape());
  }

  /** The fewest elements worth a thread of their own; see {@link Parallel#forRange}. */
  int grain() {
    return Parallel.ELEMENTWISE_GRAIN;
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    float[] y = new float[x.length];
    Parallel.forRange(x.length, grain(), (from, to) -> apply(x, y, from, to));
    return new Tensor[] {Tensor.of(y, inputs[0].shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] x = inputs[0].data();
    float[] y = outputs[0].data();
    float[] dy = outputGrads[0].data();
    float[] dx = new float[x.length];
    Parallel.forRange(x.length, grain(), (from, to) -> gradient(x, y, dy, dx, from, to));
    return new Tensor[] {Tensor.of(dx, inputs[0].shape())};
  }
}
