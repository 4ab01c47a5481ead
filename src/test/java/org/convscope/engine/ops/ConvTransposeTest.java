package org.convscope.engine.ops;

import static org.convscope.engine.ops.ConvTesting.assertClose;
import static org.convscope.engine.ops.ConvTesting.ints;
import static org.convscope.engine.ops.ConvTesting.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConvTransposeTest {
  private static final ExecutionContext CTX = ExecutionContext.inference();

  private static Tensor run(Op op, Tensor... inputs) {
    return op.forward(CTX, inputs)[0];
  }

  /**
   * ConvTranspose with explicit attributes against the reference, which is given the pad at the beginning
   * and the output size computed here by hand from ONNX's formula.
   */
  private static void check(Op op, int[] xShape, int[] wShape, int group, int[] strides, int[] dilations,
      int[] padBegin, int[] outSize) {
    Tensor x = GradCheck.randn(1, 0, xShape);
    Tensor w = GradCheck.randn(2, 0, wShape);
    Tensor b = GradCheck.randn(3, 0, wShape[1] * group);
    assertClose(ConvReference.convTranspose(x, w, b, group, strides, dilations, padBegin, outSize), run(op, x, w, b));
    assertClose(ConvReference.convTranspose(x, w, null, group, strides, dilations, padBegin, outSize), run(op, x, w));
    // Training runs use oneDNN's forward-training primitives.
    assertClose(ConvReference.convTranspose(x, w, b, group, strides, dilations, padBegin, outSize),
        op.forward(ExecutionContext.training(), new Tensor[] {x, w, b})[0]);
  }

  @Test
  void explicitPadsMatchReference() {
    // out = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - padBegin - padEnd
    check(new ConvTranspose(spec("ConvTranspose")), ints(1, 3, 5, 4), ints(3, 2, 3, 3), 1, ints(1, 1), ints(1, 1),
        ints(0, 0), ints(7, 6));
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(3, 2), "pads", ints(1, 2, 0, 1))),
        ints(2, 2, 3, 5), ints(2, 4, 3, 3), 1, ints(3, 2), ints(1, 1), ints(1, 2), ints(8, 8));
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 2), "dilations", ints(2, 3),
            "pads", ints(1, 0, 2, 1))),
        ints(1, 3, 4, 5), ints(3, 2, 3, 2), 1, ints(2, 2), ints(2, 3), ints(1, 0), ints(8, 11));
    check(new ConvTranspose(spec("ConvTranspose", "group", 2, "strides", ints(2, 1), "pads", ints(1, 1, 1, 1))),
        ints(1, 4, 5, 6), ints(4, 3, 3, 3), 2, ints(2, 1), ints(1, 1), ints(1, 1), ints(9, 6));
    check(new ConvTranspose(spec("ConvTranspose", "group", 4, "strides", ints(2, 2))),
        ints(2, 4, 3, 3), ints(4, 1, 2, 2), 4, ints(2, 2), ints(1, 1), ints(0, 0), ints(6, 6));
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 2), "pads", ints(1, 1, 1, 1))),
        ints(1, 32, 7, 7), ints(32, 16, 4, 4), 1, ints(2, 2), ints(1, 1), ints(1, 1), ints(14, 14));
  }

  @Test
  void outputPaddingAndOutputShape() {
    // output_padding adds rows at the end: out = 3 * 2 + 1 + 3 - 0 = 10 and 2 * 2 + 1 + 3 = 8.
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(3, 2), "output_padding", ints(1, 1))),
        ints(1, 1, 3, 3), ints(1, 2, 3, 3), 1, ints(3, 2), ints(1, 1), ints(0, 0), ints(10, 8));
    // output_shape 10x8 from a natural 9x7: total padding -1 puts the extra row and column at the end.
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(3, 2), "output_shape", ints(10, 8))),
        ints(1, 1, 3, 3), ints(1, 2, 3, 3), 1, ints(3, 2), ints(1, 1), ints(0, 0), ints(10, 8));
    // output_shape 8x9 from a natural 6x6: total paddings -2 and -3 start the output one position before
    // the kernel's first reach (a negative leading pad) and end it one or two after.
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 2), "output_shape", ints(8, 9))),
        ints(1, 2, 3, 3), ints(2, 3, 2, 2), 1, ints(2, 2), ints(1, 1), ints(-1, -1), ints(8, 9));
    // SAME_UPPER puts the odd pad at the end, so a one-larger output_shape gives a leading pad of -1.
    check(new ConvTranspose(spec("ConvTranspose", "auto_pad", "SAME_UPPER", "strides", ints(2, 2),
            "output_shape", ints(7, 6))),
        ints(2, 2, 3, 3), ints(2, 3, 2, 2), 1, ints(2, 2), ints(1, 1), ints(-1, 0), ints(7, 6));
    // output_shape 7x5 from a natural 9x7: total padding 2 split evenly.
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(3, 2), "output_shape", ints(1, 2, 7, 5))),
        ints(1, 1, 3, 3), ints(1, 2, 3, 3), 1, ints(3, 2), ints(1, 1), ints(1, 1), ints(7, 5));
  }

  @Test
  void autoPadSame() {
    // out = in * stride = 6; natural size 2 * 2 + 3 = 7, so one pixel of padding: at the end for SAME_UPPER,
    // at the beginning for SAME_LOWER.
    check(new ConvTranspose(spec("ConvTranspose", "auto_pad", "SAME_UPPER", "strides", ints(2, 2))),
        ints(1, 2, 3, 3), ints(2, 2, 3, 3), 1, ints(2, 2), ints(1, 1), ints(0, 0), ints(6, 6));
    check(new ConvTranspose(spec("ConvTranspose", "auto_pad", "SAME_LOWER", "strides", ints(2, 2))),
        ints(1, 2, 3, 3), ints(2, 2, 3, 3), 1, ints(2, 2), ints(1, 1), ints(1, 1), ints(6, 6));
  }

  @Test
  void oneAndThreeSpatialAxes() {
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(2), "pads", ints(1, 0))),
        ints(2, 3, 6), ints(3, 2, 3), 1, ints(2), ints(1), ints(1), ints(12));
    check(new ConvTranspose(spec("ConvTranspose", "strides", ints(1, 2, 1))),
        ints(1, 2, 3, 3, 2), ints(2, 2, 2, 2, 3), 1, ints(1, 2, 1), ints(1, 1, 1), ints(0, 0, 0), ints(4, 6, 4));
  }

  @Test
  void handComputedExample() {
    // ONNX's ConvTranspose example: 3x3 ramp, two 3x3 kernels of ones.
    float[] ramp = new float[9];
    for (int i = 0; i < 9; i++) ramp[i] = i;
    Tensor y = run(new ConvTranspose(spec("ConvTranspose")), Tensor.of(ramp, 1, 1, 3, 3), Tensor.full(1, 1, 2, 3, 3));
    float[] plane = {
        0, 1, 3, 3, 2,
        3, 8, 15, 12, 7,
        9, 21, 36, 27, 15,
        9, 20, 33, 24, 13,
        6, 13, 21, 15, 8};
    float[] both = new float[50];
    System.arraycopy(plane, 0, both, 0, 25);
    System.arraycopy(plane, 0, both, 25, 25);
    assertArrayEquals(ints(1, 2, 5, 5), y.shape());
    assertArrayEquals(both, y.data());
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Op op = new ConvTranspose(spec("ConvTranspose", "group", 2, "strides", ints(2, 1), "dilations", ints(1, 2),
        "pads", ints(1, 0, 0, 1), "output_padding", ints(1, 0)));
    GradCheck.check(op, GradCheck.randn(4, 0, 1, 4, 2, 3), GradCheck.randn(5, 0, 4, 3, 2, 2), GradCheck.randn(6, 0, 6));
    Op leading = new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 1), "output_shape", ints(6, 5)));
    GradCheck.check(leading, GradCheck.randn(7, 0, 1, 1, 2, 2), GradCheck.randn(8, 0, 1, 2, 2, 2),
        GradCheck.randn(9, 0, 2));
  }

  @Test
  void gradientsPassTheAdjointTest() {
    ConvTesting.checkAdjoint(new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 2), "output_shape", ints(7, 7))),
        ints(1, 2, 3, 3), ints(2, 3, 2, 2), 3);
    ConvTesting.checkAdjoint(new ConvTranspose(spec("ConvTranspose", "auto_pad", "SAME_LOWER", "strides", ints(2, 3))),
        ints(2, 4, 3, 4), ints(4, 2, 3, 3), 2);
    ConvTesting.checkAdjoint(new ConvTranspose(spec("ConvTranspose", "group", 8, "strides", ints(2, 2),
        "pads", ints(1, 1, 1, 1))), ints(1, 16, 5, 5), ints(16, 2, 4, 4), 16);
    ConvTesting.checkAdjoint(new ConvTranspose(spec("ConvTranspose", "strides", ints(2))), ints(2, 3, 5),
        ints(3, 4, 3), 4);
    ConvTesting.checkAdjoint(new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 2), "output_shape", ints(9, 8))),
        ints(2, 2, 3, 3), ints(2, 3, 2, 2), 3);
  }

  @Test
  void dataGradientAloneSkipsWeights() {
    Op op = new ConvTranspose(spec("ConvTranspose", "strides", ints(2, 2)));
    Tensor[] in = {GradCheck.randn(10, 0, 1, 2, 3, 3), GradCheck.randn(11, 0, 2, 3, 3, 3), GradCheck.randn(12, 0, 3)};
    Tensor[] out = op.forward(CTX, in);
    Tensor[] grads = op.backward(CTX, in, out, new Tensor[] {GradCheck.randn(13, 0, out[0].shape())},
        new boolean[] {true, false, false});
    assertArrayEquals(in[0].shape(), grads[0].shape());
    assertNull(grads[1]);
    assertNull(grads[2]);
  }

  @Test
  void badAttributesFailAtLoad() {
    assertThrows(InvalidModelException.class,
        () -> new ConvTranspose(spec("ConvTranspose", "output_padding", ints(-1, 0))));
    assertThrows(InvalidModelException.class,
        () -> new ConvTranspose(spec("ConvTranspose", "output_shape", ints(0, 4))));
    assertThrows(IllegalArgumentException.class, () -> run(new ConvTranspose(spec("ConvTranspose")),
        Tensor.zeros(1, 3, 4, 4), Tensor.zeros(2, 3, 3, 3)));
  }
}
