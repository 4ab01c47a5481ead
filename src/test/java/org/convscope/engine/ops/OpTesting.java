package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/** Building ops the way the importer does, running them, and checking their outputs. */
final class OpTesting {
  private OpTesting() {}

  /** The op the standard registry makes for a node; attributes are given as name, value, name, value... */
  static Op create(String opType, int opset, int inputs, int outputs, Object... attributes) {
    return StandardOps.registry().create(spec(opType, opset, inputs, outputs, attributes));
  }

  /** Asserts that the node is rejected at load with a message naming it and containing {@code expected}. */
  static void assertRejected(String expected, String opType, int opset, int inputs, int outputs, Object... attributes) {
    InvalidModelException e = assertThrows(InvalidModelException.class,
        () -> create(opType, opset, inputs, outputs, attributes));
    assertTrue(e.getMessage().contains("'node'") && e.getMessage().contains(expected), e.getMessage());
  }

  private static OpSpec spec(String opType, int opset, int inputs, int outputs, Object... attributes) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < attributes.length; i += 2) values.put((String) attributes[i], attributes[i + 1]);
    return new OpSpec("node", opType, new Attributes("node", values), opset, inputs, outputs);
  }

  static Tensor[] run(Op op, Tensor... inputs) {
    return op.forward(ExecutionContext.inference(), inputs);
  }

  /** Gradients of the inputs for the given output gradients, asking for every input. */
  static Tensor[] gradients(Op op, Tensor[] inputs, Tensor... outputGrads) {
    ExecutionContext context = ExecutionContext.inference();
    boolean[] needed = new boolean[inputs.length];
    for (int i = 0; i < inputs.length; i++) needed[i] = inputs[i] != null && inputs[i].isFloat();
    return op.backward(context, inputs, op.forward(context, inputs), outputGrads, needed);
  }

  /** A float tensor holding 0, 1, 2, ... */
  static Tensor arange(int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = i;
    return t;
  }

  /** An int64 tensor holding 0, 1, 2, ... */
  static Tensor arangeLongs(int... shape) {
    long[] d = new long[arange(shape).size()];
    for (int i = 0; i < d.length; i++) d[i] = i;
    return Tensor.ofLongs(d, shape);
  }

  static void assertTensor(int[] shape, float[] values, Tensor actual) {
    assertArrayEquals(shape, actual.shape(), "shape");
    assertArrayEquals(values, actual.data(), "values");
  }

  static void assertLongs(int[] shape, long[] values, Tensor actual) {
    assertArrayEquals(shape, actual.shape(), "shape");
    assertArrayEquals(values, actual.longs(), "values");
  }

  static int[] shape(int... dims) {
    return dims;
  }

  static float[] floats(float... values) {
    return values;
  }

  static long[] longs(long... values) {
    return values;
  }
}
