package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** Sum over axes (an input from opset 13); see {@link Reduction}. */
public final class ReduceSum extends Reduction {

  public ReduceSum(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    super(axesAttribute, keepDims, noopWithEmptyAxes);
  }

  static ReduceSum create(OpSpec spec) {
    Settings s = settings(spec, 13);
    return new ReduceSum(s.axes(), s.keepDims(), s.noopWithEmptyAxes());
  }

  @Override
  double weight(long count) {
    return 1;
  }
}
