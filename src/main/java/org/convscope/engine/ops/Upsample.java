package org.convscope.engine.ops;

import java.util.Arrays;
import java.util.List;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * ONNX Upsample (deprecated since opset 10, still found in older files): nearest or linear resampling with
 * asymmetric coordinates, output length {@code floor(length * scale)} per axis. The scales are an attribute in
 * opsets 7 and 8 and the second input from opset 9. The gradient flows to X only.
 */
public final class Upsample implements Op {
  private final Resampling resampling;
  /** The scales attribute (opsets 7 and 8); null when the scales come as an input. */
  private final float[] attributeScales;

  private Upsample(Resampling resampling, float[] attributeScales) {
    this.resampling = resampling;
    this.attributeScales = attributeScales;
  }

  /** Builds the op for a node, checking its attributes. */
  public static Upsample create(OpSpec spec) {
    Resampling resampling = Resampling.legacy(spec);
    if (spec.opset() >= 9) return new Upsample(resampling, null);
    float[] scales = spec.attributes().getFloats("scales", null);
    if (scales == null) throw spec.invalid("required attribute 'scales' is missing");
    for (float s : scales) if (!(s > 0)) throw spec.invalid("scales must be positive, got " + Arrays.toString(scales));
    return new Upsample(resampling, scales);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {resampling.apply(inputs[0], plan(inputs))};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    grads[0] = resampling.applyTranspose(outputGrads[0], inputs[0].shape(), plan(inputs));
    return grads;
  }

  private List<Resampling.AxisTaps> plan(Tensor[] inputs) {
    int[] inShape = inputs[0].shape();
    float[] scales = attributeScales != null ? attributeScales : inputs[1].toFloats();
    if (scales.length != inShape.length) {
      throw new IllegalArgumentException("Upsample has " + scales.length + " scales for an input of rank " + inShape.length);
    }
    int[] outShape = new int[inShape.length];
    double[] widths = new double[inShape.length];
    double[] factors = new double[inShape.length];
    for (int i = 0; i < inShape.length; i++) {
      if (!(scales[i] > 0)) throw new IllegalArgumentException("scales must be positive, got " + Arrays.toString(scales));
      factors[i] = scales[i];
      widths[i] = inShape[i] * (double) scales[i];
      outShape[i] = (int) Math.floor(widths[i]);
    }
    return resampling.plan(inShape, outShape, widths, factors, null);
  }
}
