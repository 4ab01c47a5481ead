package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** Mean over axes (an input from opset 18); see {@link Reduction}. */
public final class ReduceMean extends Reduction {

  public ReduceMean(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    super(axesAttribute, keepDims, noopWithEmptyAxes);
  }

  static ReduceMean create(OpSpec spec) {
    Settings s = settings(spec, 18);
    return new ReduceMean(s.axes(), s.keepDims(), s.noopWithEmptyAxes());
  }

  @Override
  double weight(long count) {
    return 1.0 / count;
  }
}
