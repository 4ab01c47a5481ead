package org.convscope.engine.ops;

import java.util.function.Function;
import org.convscope.engine.CompositeAnchor;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/** Mean over axes (an input from opset 18); see {@link Reduction}. */
public final class ReduceMean extends Reduction implements CompositeAnchor {

  public ReduceMean(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    super(axesAttribute, keepDims, noopWithEmptyAxes);
  }

  static ReduceMean create(OpSpec spec) {
    Settings s = settings(spec, 18);
    return new ReduceMean(s.axes(), s.keepDims(), s.noopWithEmptyAxes());
  }

  @Override
  double weight(long count) {
    return 1.0 / count;
  }

  /** A layer norm that starts here: see {@link ExportedPatterns#layerNorm}. */
  @Override
  public Composite composite(Graph graph, Node node, Function<String, Tensor> constants) {
    return reducesLastAxisOnly() ? ExportedPatterns.layerNorm(graph, node, constants) : null;
  }
}
