package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Base of the activations that map each float element on its own. Subclasses loop over whole arrays, so
 * each inner loop is compiled for one function instead of calling through a per-element interface.
 */
abstract class ElementwiseActivation implements Op {

  /** Writes f(x) into {@code y}. */
  abstract void apply(float[] x, float[] y);

  /** Writes dy * f'(x) into {@code dx}; {@code y} holds f(x), often the cheaper way to the derivative. */
  abstract void gradient(float[] x, float[] y, float[] dy, float[] dx);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    float[] y = new float[x.length];
    apply(x, y);
    return new Tensor[] {Tensor.of(y, inputs[0].shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] x = inputs[0].data();
    float[] dx = new float[x.length];
    gradient(x, outputs[0].data(), outputGrads[0].data(), dx);
    return new Tensor[] {Tensor.of(dx, inputs[0].shape())};
  }
}
