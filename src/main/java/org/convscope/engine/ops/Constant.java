package org.convscope.engine.ops;

import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * A fixed tensor, given by exactly one attribute: {@code value} (a tensor), {@code value_float},
 * {@code value_floats}, {@code value_int} or {@code value_ints}. Strings and sparse tensors are not supported.
 */
public final class Constant implements NonDifferentiable {
  private final Tensor value;

  public Constant(Tensor value) {
    this.value = value;
  }

  static Constant fromSpec(OpSpec spec) {
    Attributes attributes = spec.attributes();
    if (attributes.names().size() != 1) {
      throw spec.invalid("expects exactly one value attribute, found " + attributes.names()
          + (attributes.names().isEmpty() ? " (sparse values are not supported)" : ""));
    }
    String name = attributes.names().iterator().next();
    Tensor value = switch (name) {
      case "value" -> attributes.getTensor("value");
      case "value_float" -> Tensor.scalar(attributes.getFloat("value_float", 0));
      case "value_floats" -> {
        float[] values = attributes.getFloats("value_floats", null);
        yield Tensor.of(values, values.length);
      }
      case "value_int" -> Tensor.ofLongs(new long[] {attributes.requireInt("value_int")});
      case "value_ints" -> Tensor.vector(attributes.getInts("value_ints", null));
      default -> throw spec.invalid("attribute '" + name + "' is not supported (numeric constants only)");
    };
    return new Constant(value);
  }

  /** The same tensor on every run: nothing writes into it, and caches keyed on it stay warm. */
  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {value};
  }
}
