package org.convscope.inspect;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.tensor.Tensor;

/**
 * Computes the exact receptive field of every spatial tensor of a network on 4-D NCHW images, by composing
 * each window op's kernel, stride, dilation and padding along every path from the input (Araujo et al.,
 * "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019). Where branches join (Add,
 * Concat, Mul) the field is the union of the branches' fields.
 *
 * <p>Tensors after an op whose geometry is not a fixed window (resizing, transposed convolution, a Pad whose
 * pads are computed at run time) get no field rather than a wrong one; tensors after global pooling or
 * flattening get a global field. A Pad with constant pads shifts the field as a convolution's padding does;
 * with reflect or edge padding the re-read pixels lie inside the field's box for the usual pads (at most half
 * the next window).
 */
public final class ReceptiveFields {
  /** Ops that keep every spatial position where it was. */
  private static final Set<String> POINTWISE = Set.of(
      "Relu", "LeakyRelu", "PRelu", "Elu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softplus", "Clip",
      "Add", "Sub", "Mul", "Div", "Sum", "BatchNormalization", "Dropout", "Identity", "LRN", "Concat", "Split",
      "Cast", "Softmax", "LogSoftmax");
  private static final Set<String> WINDOWS = Set.of("Conv", "MaxPool", "AveragePool");
  private static final Set<String> GLOBAL = Set.of("GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Gemm",
      "MatMul", "ReduceMean", "ReduceSum");
  /** Ops that read only their input's shape, so what they compute carries no field (PyTorch's flatten subgraph). */
  private static final Set<String> SHAPE_ONLY = Set.of("Shape", "Size");

  private ReceptiveFields() {}

  /**
   * @param shapes the shape of every tensor for some input (from a forward run), needed for SAME padding
   * @return the field of every tensor that depends on the input
   */
  public static Map<String, ReceptiveField> compute(Graph graph, String input, Map<String, int[]> shapes) {
    int[] inShape = shapes.get(input);
    Map<String, ReceptiveField> fields = new HashMap<>();
    if (inShape == null || inShape.length != 4) return fields;
    fields.put(input, ReceptiveField.PIXEL);
    // The tensors computed from the input's values. All others are weights, constants or shape arithmetic,
    // whatever op made them (PyTorch routes shared biases through Identity nodes), and carry no field.
    Set<String> fromInput = new HashSet<>(Set.of(input));
    for (Node node : graph.nodes()) {
      ReceptiveField joined = null;
      boolean dependsOnInput = false;
      boolean anyUnknown = false;
      for (String in : node.inputs()) {
        if (!fromInput.contains(in)) continue;
        dependsOnInput = true;
        ReceptiveField f = fields.get(in);
        if (f == null) anyUnknown = true;
        else joined = joined == null ? f : joined.union(f);
      }
      if (!dependsOnInput || SHAPE_ONLY.contains(node.opType())) continue;
      fromInput.addAll(node.outputs());
      if (anyUnknown) continue; // a path we could not follow: no field rather than a wrong one
      ReceptiveField out = apply(graph, node, joined, shapes, inShape);
      if (out == null) continue;
      for (String o : node.outputs()) {
        int[] s = shapes.get(o);
        // A pointwise op on a non-image tensor (a logit's softmax) keeps a global field.
        if (s != null && s.length != 4 && !out.global()) out = ReceptiveField.global(inShape[2], inShape[3]);
        fields.put(o, out);
      }
    }
    return fields;
  }

  private static ReceptiveField apply(Graph graph, Node node, ReceptiveField in, Map<String, int[]> shapes,
      int[] imageShape) {
    String op = node.opType();
    int[] inShape = shapes.get(node.input(0));
    if (in.global() || GLOBAL.contains(op)) return ReceptiveField.global(imageShape[2], imageShape[3]);
    if (POINTWISE.contains(op)) return in;
    if (inShape == null || inShape.length != 4) return null;
    if (op.equals("Pad")) return pad(graph, node, in);
    if (!WINDOWS.contains(op)) return null;
    Attributes a = node.attributes();
    int[] kernel = a.getIntArray("kernel_shape", null);
    if (kernel == null && op.equals("Conv")) {
      int[] weights = shapes.get(node.input(1));
      if (weights != null && weights.length == 4) kernel = new int[] {weights[2], weights[3]};
    }
    if (kernel == null || kernel.length != 2) return null;
    return window(a, kernel, in, inShape);
  }

  /** A Pad moves the field as a one-pixel window with padding would; wrapping and run-time pads are not followed. */
  private static ReceptiveField pad(Graph graph, Node node, ReceptiveField in) {
    Attributes a = node.attributes();
    if (a.getString("mode", "constant").equals("wrap")) return null;
    long[] pads = a.has("pads") ? a.getInts("pads", null) : constant(graph, node.input(1));
    long[] axes = node.input(3).isEmpty() ? new long[] {0, 1, 2, 3} : constant(graph, node.input(3));
    if (pads == null || axes == null || pads.length != 2 * axes.length) return null;
    long[] before = new long[4];
    for (int i = 0; i < axes.length; i++) before[(int) Math.floorMod(axes[i], 4L)] = pads[i];
    return new ReceptiveField(in.height().window(1, 1, 1, Math.toIntExact(before[2])),
        in.width().window(1, 1, 1, Math.toIntExact(before[3])), false);
  }

  /** The values of a tensor fixed when the graph is loaded (an initializer or a Constant node's), or null. */
  private static long[] constant(Graph graph, String tensor) {
    if (tensor.isEmpty()) return null;
    Tensor value = graph.initializers().get(tensor);
    Node producer = graph.producer(tensor);
    if (value == null && producer != null && producer.opType().equals("Constant")) {
      value = producer.op().forward(ExecutionContext.inference(), new Tensor[0])[0];
    }
    return value == null ? null : value.toLongs();
  }

  private static ReceptiveField window(Attributes a, int[] kernel, ReceptiveField in, int[] inShape) {
    int[] strides = a.getIntArray("strides", new int[] {1, 1});
    int[] dilations = a.getIntArray("dilations", new int[] {1, 1});
    int[] pads = a.getIntArray("pads", new int[] {0, 0, 0, 0});
    String autoPad = a.getString("auto_pad", "NOTSET");
    int[] padBegin = {pads[0], pads[1]};
    if (autoPad.startsWith("SAME")) {
      for (int i = 0; i < 2; i++) {
        int size = inShape[2 + i];
        int out = (size + strides[i] - 1) / strides[i];
        int total = Math.max(0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - size);
        padBegin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
      }
    } else if (autoPad.equals("VALID")) {
      padBegin = new int[] {0, 0};
    }
    return new ReceptiveField(in.height().window(kernel[0], strides[0], dilations[0], padBegin[0]),
        in.width().window(kernel[1], strides[1], dilations[1], padBegin[1]), false);
  }
}
