package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** Maximum over axes (an input from opset 18); see {@link ExtremeReduction}. */
public final class ReduceMax extends ExtremeReduction {

  public ReduceMax(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    super(axesAttribute, keepDims, noopWithEmptyAxes);
  }

  static ReduceMax create(OpSpec spec) {
    Reduction.Settings s = Reduction.settings(spec, 18);
    return new ReduceMax(s.axes(), s.keepDims(), s.noopWithEmptyAxes());
  }

  @Override
  float pick(float a, float b) {
    return Math.max(a, b);
  }

  @Override
  float start() {
    return Float.NEGATIVE_INFINITY;
  }
}
