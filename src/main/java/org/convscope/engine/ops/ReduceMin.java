package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** Minimum over axes (an input from opset 18); see {@link ExtremeReduction}. */
public final class ReduceMin extends ExtremeReduction {

  public ReduceMin(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    super(axesAttribute, keepDims, noopWithEmptyAxes);
  }

  static ReduceMin create(OpSpec spec) {
    Reduction.Settings s = Reduction.settings(spec, 18);
    return new ReduceMin(s.axes(), s.keepDims(), s.noopWithEmptyAxes());
  }

  @Override
  float pick(float a, float b) {
    return Math.min(a, b);
  }

  @Override
  float start() {
    return Float.POSITIVE_INFINITY;
  }
}
