package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** Squeeze's and Unsqueeze's axes, which moved from an attribute to the second input in opset 13. */
final class AxesArgument {
  private AxesArgument() {}

  /**
   * The axes attribute before opset 13; null from opset 13, when the axes are the second input.
   *
   * @param required whether the op needs axes (Unsqueeze) or may go without (Squeeze)
   */
  static long[] attributeBeforeOpset13(OpSpec spec, boolean required) {
    if (spec.opset() >= 13) {
      if (spec.attributes().has("axes")) throw spec.invalid("since opset 13 the axes are an input, not an attribute");
      if (required && spec.inputCount() < 2) throw spec.invalid("the axes input is missing");
      return null;
    }
    long[] axes = spec.attributes().getInts("axes", null);
    if (required && axes == null) throw spec.invalid("the axes attribute is missing");
    return axes;
  }
}
