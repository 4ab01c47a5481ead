package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op whose output depends on its first input's shape alone (Shape): the executor gives it a held input's
 * shape without reading the values back (ShuffleNet asks for the shape of every tensor it shuffles).
 */
public interface ShapeOfInputOp extends Op {

  /** The output for a first input of this shape. */
  Tensor forShape(int[] shape);
}
