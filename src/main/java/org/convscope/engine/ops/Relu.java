package org.convscope.engine.ops;

import org.convscope.engine.BackwardRule;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * max(0, x). Beside the true gradient it defines the two backward rules that attribution methods
 * substitute for it: guided backpropagation and deconvnet.
 */
public final class Relu implements Op {

  /**
   * Guided backpropagation (Springenberg et al., "Striving for Simplicity: The All Convolutional Net",
   * ICLR 2015 workshop): pass back only positive gradient, and only where the input was positive.
   */
  public static final BackwardRule GUIDED = (context, op, inputs, outputs, grads, needed) -> {
    float[] x = inputs[0].data();
    float[] g = grads[0].data();
    float[] dx = new float[x.length];
    for (int i = 0; i < x.length; i++) dx[i] = x[i] > 0 && g[i] > 0 ? g[i] : 0f;
    return new Tensor[] {Tensor.of(dx, inputs[0].shape())};
  };

  /**
   * Deconvnet (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014):
   * the ReLU is applied to the gradient itself, whatever the forward input was.
   */
  public static final BackwardRule DECONVNET = (context, op, inputs, outputs, grads, needed) -> {
    float[] g = grads[0].data();
    float[] dx = new float[g.length];
    for (int i = 0; i < g.length; i++) dx[i] = g[i] > 0 ? g[i] : 0f;
    return new Tensor[] {Tensor.of(dx, inputs[0].shape())};
  };

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    float[] y = new float[x.length];
    Planes.forChunks(x.length, (from, to) -> {
      for (int i = from; i < to; i++) y[i] = x[i] > 0 ? x[i] : 0f;
    });
    return new Tensor[] {Tensor.of(y, inputs[0].shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] x = inputs[0].data();
    float[] g = outputGrads[0].data();
    float[] dx = new float[x.length];
    Planes.forChunks(x.length, (from, to) -> {
      for (int i = from; i < to; i++) dx[i] = x[i] > 0 ? g[i] : 0f;
    });
    return new Tensor[] {Tensor.of(dx, inputs[0].shape())};
  }
}
