package org.convscope.inspect;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.Attributes;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;

/**
 * Computes the exact receptive field of every spatial tensor of a network on 4-D NCHW images, by composing
 * each window op's kernel, stride, dilation and padding along every path from the input (Araujo et al.,
 * "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019). Where branches join (Add,
 * Concat, Mul) the field is the union of the branches' fields.
 *
 * <p>Tensors after an op whose geometry is not a fixed window (resizing, transposed convolution) get no
 * field rather than a wrong one; tensors after global pooling or flattening get a global field.
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
    for (Node node : graph.nodes()) {
      ReceptiveField joined = null;
      boolean anyUnknown = false;
      for (String in : node.inputs()) {
        if (in.isEmpty() || graph.initializers().containsKey(in)) continue;
        ReceptiveField f = fields.get(in);
        if (f == null) {
          anyUnknown |= dependsOnInput(graph, in, fields);
          continue;
        }
        joined = joined == null ? f : joined.union(f);
      }
      if (joined == null || anyUnknown) continue;
      ReceptiveField out = apply(node, joined, shapes, inShape);
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

  private static boolean dependsOnInput(Graph graph, String tensor, Map<String, ReceptiveField> fields) {
    // Constants and shape arithmetic carry no field; a data tensor we failed to follow makes the result unknown.
    Node producer = graph.producer(tensor);
    return producer != null && !Set.of("Constant", "Shape", "Gather", "Unsqueeze", "Concat", "ConstantOfShape", "Cast")
        .contains(producer.opType());
  }

  private static ReceptiveField apply(Node node, ReceptiveField in, Map<String, int[]> shapes, int[] imageShape) {
    String op = node.opType();
    int[] inShape = shapes.get(node.input(0));
    if (in.global() || GLOBAL.contains(op)) return ReceptiveField.global(imageShape[2], imageShape[3]);
    if (POINTWISE.contains(op)) return in;
    if (op.equals("Pad")) return null; // pads come from an input tensor in opset 11+; not followed yet
    if (!WINDOWS.contains(op) || inShape == null || inShape.length != 4) return null;
    Attributes a = node.attributes();
    int[] kernel = a.getIntArray("kernel_shape", null);
    if (kernel == null && op.equals("Conv")) {
      int[] weights = shapes.get(node.input(1));
      if (weights != null && weights.length == 4) kernel = new int[] {weights[2], weights[3]};
    }
    if (kernel == null || kernel.length != 2) return null;
    return window(a, kernel, in, inShape);
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
