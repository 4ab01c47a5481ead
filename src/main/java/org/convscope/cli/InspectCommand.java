package org.convscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convscope.engine.Network;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;
import org.convscope.inspect.ReceptiveField;
import org.convscope.onnx.OnnxImporter;
import org.convscope.tensor.Shapes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope inspect MODEL}: the layer table with shapes, parameters and receptive fields. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "List every layer: module path, op, output shape, parameters, receptive field.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--input-size", paramLabel = "PIXELS", description = "Height and width for models whose input size is free (default: ${DEFAULT-VALUE}).")
  int inputSize = 224;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Network network = new Network(OnnxImporter.load(model));
    int[] shape = ModelSummary.probeShape(network.graph().inputs().get(0), inputSize);
    List<LayerInfo> layers = ModelSummary.layers(network, shape);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(shape, layers)));
      return 0;
    }
    long total = network.graph().initializers().values().stream().mapToLong(t -> t.size()).sum();
    out.printf("%s: input %s %s, opset %d, %d nodes, %,d parameters%n", model, network.inputName(),
        Shapes.toString(shape), network.graph().opset(), network.graph().nodes().size(), total);
    out.printf("%-36s %-18s %-18s %12s  %s%n", "layer", "op", "output", "parameters", "receptive field");
    for (LayerInfo l : layers) {
      String name = l.module() != null ? l.module() : l.node();
      out.printf("%-36s %-18s %-18s %12s  %s%n", name, l.op(), Shapes.toString(l.shape()),
          l.parameters() == 0 ? "" : String.format("%,d", l.parameters()),
          l.receptiveField() == null ? "-" : l.receptiveField().describe());
    }
    return 0;
  }

  private Map<String, Object> toJson(int[] shape, List<LayerInfo> layers) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model.toString());
    root.put("input_shape", shape);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (LayerInfo l : layers) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("node", l.node());
      row.put("module", l.module());
      row.put("op", l.op());
      row.put("tensor", l.tensor());
      row.put("shape", l.shape());
      row.put("parameters", l.parameters());
      ReceptiveField rf = l.receptiveField();
      if (rf != null) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("global", rf.global());
        f.put("size", new int[] {rf.height().size(), rf.width().size()});
        f.put("jump", new int[] {rf.height().jump(), rf.width().jump()});
        f.put("start", new int[] {rf.height().start(), rf.width().start()});
        row.put("receptive_field", f);
      }
      rows.add(row);
    }
    root.put("layers", rows);
    return root;
  }
}
