package org.convscope.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.convscope.Fixtures;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.ops.StandardOps;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Receptive fields against brute force: the bounding box of the input pixels whose gradient is non-zero for a
 * unit of a network with positive weights ({@link InfluenceBoxes}).
 */
class ReceptiveFieldsTest {
  /** Builds small graphs of windows with readable calls; every tensor is a node output named after the node. */
  private static final class Net {
    final GraphBuilder builder = new GraphBuilder("test", 13);
    final String input;
    private int count;
    private final Map<String, Integer> channels = new HashMap<>();

    Net(int channels, int height, int width) {
      input = builder.input("input", 1, channels, height, width);
      this.channels.put(input, channels);
    }

    String conv(String x, int out, int[] kernel, int[] strides, int[] dilations, int[] pads) {
      int in = channels.get(x);
      String w = builder.initializer("w" + count, Tensor.zeros(out, in, kernel[0], kernel[1]));
      Map<String, Object> a = new HashMap<>();
      a.put("kernel_shape", longs(kernel));
      a.put("strides", longs(strides));
      a.put("dilations", longs(dilations));
      a.put("pads", longs(pads));
      return add("Conv", List.of(x, w), a, out);
    }

    String conv(String x, int out, int kernel, int stride, int dilation, int pad) {
      return conv(x, out, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {dilation, dilation},
          new int[] {pad, pad, pad, pad});
    }

    String pool(String opType, String x, int kernel, int stride, int pad, boolean ceil) {
      return add(opType, List.of(x), Map.of("kernel_shape", new long[] {kernel, kernel}, "strides", new long[] {stride, stride},
          "pads", new long[] {pad, pad, pad, pad}, "ceil_mode", ceil ? 1L : 0L), channels.get(x));
    }

    String relu(String x) {
      return add("Relu", List.of(x), Map.of(), channels.get(x));
    }

    String join(String opType, String a, String b) {
      int c = opType.equals("Concat") ? channels.get(a) + channels.get(b) : channels.get(a);
      return add(opType, List.of(a, b), opType.equals("Concat") ? Map.of("axis", 1L) : Map.of(), c);
    }

    String pad(String x, long[] pads) {
      String p = builder.initializer("pads" + count, Tensor.ofLongs(pads, pads.length));
      return add("Pad", List.of(x, p), Map.of("mode", "constant"), channels.get(x));
    }

    String add(String opType, List<String> inputs, Map<String, Object> attributes, int outChannels) {
      String out = builder.node(opType, "/n" + count++ + "/" + opType, inputs, attributes);
      channels.put(out, outChannels);
      return out;
    }

    Graph build(String output) {
      builder.output(output);
      return builder.build(StandardOps.registry());
    }

    private static long[] longs(int[] v) {
      return Arrays.stream(v).asLongStream().toArray();
    }
  }

  /**
   * The units near every border and in the middle of each tensor against brute force: each side of the field's
   * box that lies inside the input is exact; a side beyond the border contains the pixels the unit sees (they
   * may stop short of the border, see {@link ReceptiveField}).
   */
  private static void checkUnits(Graph graph, int[] inputShape, List<String> tensors) {
    InfluenceBoxes brute = new InfluenceBoxes(graph, inputShape);
    Map<String, int[]> shapes = brute.shapes();
    Map<String, ReceptiveField> fields = ReceptiveFields.compute(graph, "input", shapes);
    for (String tensor : tensors) {
      ReceptiveField field = fields.get(tensor);
      assertNotNull(field, tensor + " has a field");
      int[] shape = shapes.get(tensor);
      for (int y : sample(shape[2])) {
        for (int x : sample(shape[3])) checkUnit(brute.box(tensor, y, x), field, y, x, inputShape, tensor);
      }
    }
  }

  /** Three positions from each end and the middle. */
  private static int[] sample(int size) {
    return IntStream.of(0, 1, 2, size / 2, size - 3, size - 2, size - 1).filter(i -> i >= 0 && i < size).distinct().toArray();
  }

  static void checkUnit(int[] brute, ReceptiveField field, int y, int x, int[] inputShape, String what) {
    int[] box = {field.height().first(y), field.height().last(y), field.width().first(x), field.width().last(x)};
    int[] limit = {inputShape[2] - 1, inputShape[2] - 1, inputShape[3] - 1, inputShape[3] - 1};
    boolean inside = true;
    for (int side = 0; side < 4; side++) inside &= box[side] >= 0 && box[side] <= limit[side];
    String unit = what + " " + field.describe() + " unit (" + y + "," + x + ") brute force " + Arrays.toString(brute);
    if (brute == null) {
      assertTrue(!inside, unit + ": a unit that sees no pixel must reach into padding");
      return;
    }
    for (int side = 0; side < 4; side++) {
      if (box[side] >= 0 && box[side] <= limit[side]) {
        assertEquals(box[side], brute[side], unit + ", side " + side);
      } else {
        boolean within = side % 2 == 0 ? brute[side] >= Math.max(0, box[side]) : brute[side] <= Math.min(limit[side], box[side]);
        assertTrue(within, unit + ", side " + side + " beyond the border");
      }
    }
  }

  @Test
  void chainOfPaddedStridedDilatedWindowsAndPooling() {
    Net n = new Net(2, 37, 41);
    String a = n.relu(n.conv(n.input, 3, 3, 1, 1, 1));
    String b = n.conv(a, 3, 3, 2, 1, 0);
    String c = n.pool("MaxPool", b, 3, 2, 1, false);
    String d = n.conv(c, 2, 3, 1, 2, 2);
    String e = n.pool("AveragePool", d, 2, 2, 0, true);
    Graph graph = n.build(e);
    checkUnits(graph, new int[] {1, 2, 37, 41}, List.of(a, b, c, d, e));
    ReceptiveField field = ReceptiveFields.compute(graph, "input", new InfluenceBoxes(graph, new int[] {1, 2, 37, 41}).shapes()).get(e);
    // By hand: 3x3 (size 3), 3x3 s2 (5, jump 2), pool 3 s2 p1 (9, jump 4, start -2), 3x3 dilation 2 pad 2
    // (25, start -10), pool 2 s2 (29, jump 8).
    assertEquals(new ReceptiveField.Axis(29, 8, -11), field.height());
  }

  @Test
  void asymmetricKernelsStridesAndPads() {
    Net n = new Net(1, 30, 33);
    String a = n.conv(n.input, 2, new int[] {3, 5}, new int[] {1, 2}, new int[] {1, 1}, new int[] {0, 2, 1, 1});
    String b = n.conv(a, 2, new int[] {1, 3}, new int[] {2, 1}, new int[] {3, 2}, new int[] {1, 0, 0, 2});
    checkUnits(n.build(b), new int[] {1, 1, 30, 33}, List.of(a, b));
  }

  @Test
  void branchesJoinedByAddAndConcat() {
    Net n = new Net(2, 33, 33);
    String stem = n.relu(n.conv(n.input, 3, 3, 1, 1, 1));
    // A residual block with a strided 1x1 shortcut, as in ResNet's downsampling blocks.
    String main = n.conv(n.relu(n.conv(stem, 3, 3, 2, 1, 1)), 3, 3, 1, 1, 1);
    String shortcut = n.conv(stem, 3, 1, 2, 1, 0);
    String sum = n.relu(n.join("Add", main, shortcut));
    // A fire-like module: a 1x1 and a dilated 3x3 branch side by side.
    String narrow = n.conv(sum, 2, 1, 1, 1, 0);
    String wide = n.conv(sum, 2, 3, 1, 2, 2);
    String both = n.join("Concat", narrow, wide);
    String out = n.conv(both, 2, 3, 2, 1, 1);
    checkUnits(n.build(out), new int[] {1, 2, 33, 33}, List.of(main, shortcut, sum, narrow, wide, both, out));
  }

  @Test
  void explicitPadOpThenValidConvolution() {
    // What TensorFlow exports for a strided SAME convolution: a Pad node, then a convolution without padding.
    Net n = new Net(1, 20, 20);
    String padded = n.pad(n.input, new long[] {0, 0, 1, 2, 0, 0, 2, 1});
    String conv = n.conv(padded, 2, 4, 2, 1, 0);
    checkUnits(n.build(conv), new int[] {1, 1, 20, 20}, List.of(padded, conv));
  }

  @Test
  void sameAutoPadOnOddSizes() {
    Net n = new Net(1, 17, 18);
    String conv = n.add("Conv", List.of(n.input, n.builder.initializer("w", Tensor.zeros(2, 1, 4, 3))),
        Map.of("auto_pad", "SAME_UPPER", "strides", new long[] {2, 3}), 2);
    String lower = n.add("Conv", List.of(conv, n.builder.initializer("v", Tensor.zeros(2, 2, 2, 2))),
        Map.of("auto_pad", "SAME_LOWER"), 2);
    checkUnits(n.build(lower), new int[] {1, 1, 17, 18}, List.of(conv, lower));
  }

  @Test
  void resizingLeavesNoFieldAndGlobalPoolingAGlobalOne() {
    Net n = new Net(1, 8, 8);
    String conv = n.conv(n.input, 2, 3, 1, 1, 1);
    String up = n.add("Resize", List.of(conv, "", n.builder.initializer("scales", Tensor.of(new float[] {1, 1, 2, 2}, 4))),
        Map.of("mode", "nearest"), 2);
    String after = n.conv(up, 2, 3, 1, 1, 1);
    String pooled = n.add("GlobalAveragePool", List.of(conv), Map.of(), 2);
    n.builder.output(after);
    Graph graph = n.build(pooled);
    Map<String, ReceptiveField> fields = ReceptiveFields.compute(graph, "input", new InfluenceBoxes(graph, new int[] {1, 1, 8, 8}).shapes());
    assertNull(fields.get(up));
    assertNull(fields.get(after), "nothing after an unknown field gets one");
    assertTrue(fields.get(pooled).global());
  }

  /**
   * The fixture networks with positive weights: a centre unit and the four corners of a few layers, including
   * SqueezeNet's Concat of a 1x1 and a 3x3 branch, whose biases PyTorch shares through Identity nodes. The
   * last layer's field is also checked against its published size (ResNet-18: 435 pixels, jump 32).
   */
  @Tag("slow")
  @ParameterizedTest
  @CsvSource({
      "resnet18_bn, layer1.0, layer2.1, layer4, 'size 435, jump 32, start -217'",
      "squeezenet1_1, features.3, features.7, features.12, 'size 207, jump 16, start -88'",
      "mobilenet_v2, features.3, features.7.conv.conv.1.conv.1.2, features.14, 'size 299, jump 32, start -149'"})
  void fixtureNetworks(String fixture, String early, String middle, String late, String lateField) {
    Model model = Model.load(Fixtures.dir(fixture).resolve("model.onnx"));
    int[] inputShape = {1, 3, 224, 224};
    InfluenceBoxes brute = new InfluenceBoxes(model.graph(), inputShape);
    Map<String, int[]> shapes = brute.shapes();
    Map<String, ReceptiveField> fields = ReceptiveFields.compute(model.graph(), model.input(), shapes);
    for (String layer : List.of(early, middle, late)) {
      String tensor = model.resolveLayer(layer);
      ReceptiveField field = fields.get(tensor);
      assertNotNull(field, layer + " has a field");
      int h = shapes.get(tensor)[2];
      int w = shapes.get(tensor)[3];
      int[][] units = {{h / 2, w / 2}, {0, 0}, {0, w - 1}, {h - 1, 0}, {h - 1, w - 1}};
      for (int[] u : units) {
        checkUnit(brute.box(tensor, u[0], u[1]), field, u[0], u[1], inputShape, fixture + " " + layer);
      }
    }
    assertEquals(lateField, fields.get(model.resolveLayer(late)).describe());
  }
}
