package org.convscope.report;

import java.util.List;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;

/** The conv stages of the report's model: the last layer at each spatial resolution, for its data's image size. */
final class Stages {
  private Stages() {}

  static List<LayerInfo> of(ReportContext c) {
    int[] shape = {1, c.data().channels(), c.data().height(), c.data().width()};
    return ModelSummary.stageOutputs(ModelSummary.layers(c.model().network(), shape));
  }

  /** The last stage: the deepest layer with a spatial map of more than one position. */
  static LayerInfo last(ReportContext c) {
    List<LayerInfo> stages = of(c);
    if (stages.isEmpty()) throw new IllegalArgumentException("the model has no layer with a spatial map");
    return stages.get(stages.size() - 1);
  }

  /** The layer's display name: its module path, else its node's name. */
  static String name(LayerInfo layer) {
    return layer.module() != null ? layer.module() : layer.node();
  }

  /** Channels 0 to n-1 of the layer, or all of them when it has fewer. */
  static int[] firstChannels(LayerInfo layer, int n) {
    return java.util.stream.IntStream.range(0, Math.min(n, layer.shape()[1])).toArray();
  }
}
