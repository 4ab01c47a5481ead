package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.arange;
import static org.convscope.engine.ops.OpTesting.arangeLongs;
import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertRejected;
import static org.convscope.engine.ops.OpTesting.assertTensor;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.floats;
import static org.convscope.engine.ops.OpTesting.gradients;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.run;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The first cases are the examples of the ONNX Pad specification. */
class PadTest {
  private static final Tensor DATA = Tensor.of(floats(1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f), 3, 2);
  private static final Tensor PADS = Tensor.vector(0, 2, 0, 0);

  private static Tensor pad(String mode, Tensor... inputs) {
    return run(create("Pad", 13, inputs.length, 1, "mode", mode), inputs)[0];
  }

  @Test
  void constantMode() {
    assertTensor(shape(3, 4), floats(0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f, 0, 0, 4.5f, 5.7f), pad("constant", DATA, PADS));
    assertTensor(shape(1, 3), floats(7, 1, 7), pad("constant", Tensor.of(floats(1), 1, 1), Tensor.vector(0, 1, 0, 1),
        Tensor.scalar(7)));
  }

  @Test
  void reflectMode() {
    assertTensor(shape(3, 4), floats(1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f),
        pad("reflect", DATA, PADS));
    // [0 1 2 3] reflected by 3 on the left and 2 on the right
    assertTensor(shape(9), floats(3, 2, 1, 0, 1, 2, 3, 2, 1), pad("reflect", arange(4), Tensor.vector(3, 2)));
  }

  @Test
  void edgeMode() {
    assertTensor(shape(3, 4), floats(1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f),
        pad("edge", DATA, PADS));
  }

  @Test
  void wrapModeFromOpset19() {
    Op wrap = create("Pad", 19, 2, 1, "mode", "wrap");
    assertTensor(shape(7), floats(1, 2, 0, 1, 2, 0, 1), run(wrap, arange(3), Tensor.vector(2, 2))[0]);
    assertRejected("only from opset 19", "Pad", 18, 2, 1, "mode", "wrap");
  }

  @Test
  void negativePadsCrop() {
    // [[0 1 2] [3 4 5]]: drop the first column, add a row of zeros below
    assertTensor(shape(3, 2), floats(1, 2, 4, 5, 0, 0), pad("constant", arange(2, 3), Tensor.vector(0, -1, 1, 0)));
    assertThrows(IllegalArgumentException.class, () -> pad("constant", arange(2, 3), Tensor.vector(0, -2, 0, -2)));
  }

  @Test
  void opset18AxesSayWhichAxesArePadded() {
    Op pad = create("Pad", 18, 4, 1, "mode", "edge");
    assertTensor(shape(2, 4), floats(0, 0, 1, 2, 3, 3, 4, 5), run(pad, arange(2, 3), Tensor.vector(1, 0), null, Tensor.vector(-1))[0]);
  }

  @Test
  void opset2TakesAttributes() {
    Op old = create("Pad", 2, 1, 1, "pads", longs(1, 0, 0, 0), "value", 2.5f);
    assertTensor(shape(2, 2), floats(2.5f, 2.5f, 0, 1), run(old, arange(1, 2))[0]);
    assertRejected("pads attribute is missing", "Pad", 2, 1, 1);
    assertRejected("pads are an input", "Pad", 11, 2, 1, "pads", longs(1, 1));
    assertRejected("unknown mode 'symmetric'", "Pad", 13, 2, 1, "mode", "symmetric");
  }

  @Test
  void int64Data() {
    assertLongs(shape(5), longs(-1, 0, 1, 2, -1), pad("constant", arangeLongs(3), Tensor.vector(1, 1), Tensor.ofLongs(longs(-1))));
  }

  @Test
  void edgeGradientCollectsTheBorder() {
    Tensor[] inputs = {arange(3), Tensor.vector(2, 1)};
    Tensor dx = gradients(create("Pad", 13, 2, 1, "mode", "edge"), inputs, Tensor.of(floats(1, 2, 3, 4, 5, 6), 6))[0];
    assertTensor(shape(3), floats(6, 4, 11), dx);
  }

  @Test
  void gradientsOfEveryModeMatchFiniteDifferences() {
    Tensor x = GradCheck.randn(8, 0, 2, 3, 5);
    Tensor pads = Tensor.vector(0, 2, -1, 1, 1, 3);
    for (String mode : new String[] {"constant", "reflect", "edge"}) {
      GradCheck.check(create("Pad", 13, 3, 1, "mode", mode), x, pads, Tensor.scalar(0.5f));
    }
    GradCheck.check(create("Pad", 19, 2, 1, "mode", "wrap"), x, Tensor.vector(1, 3, 2, 0, 4, 2));
    GradCheck.check(create("Pad", 7, 1, 1, "mode", "reflect", "pads", longs(0, 0, 2, 0, 1, 4)), x);
  }
}
