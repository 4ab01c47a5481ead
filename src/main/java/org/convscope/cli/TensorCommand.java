package org.convscope.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convscope.engine.ForwardOptions;
import org.convscope.model.Model;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope tensor MODEL --input FILE --layer NAME --save OUT.npy}: one layer's output. */
@Command(name = "tensor", mixinStandardHelpOptions = true, description = "Save the output of one layer (module path, node or tensor name) as .npy.")
final class TensorCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "A PNG/JPEG image or a float32 .npy tensor.")
  Path input;

  @Option(names = "--layer", required = true, paramLabel = "NAME", description = "e.g. layer4, features.12, or an ONNX tensor name.")
  String layer;

  @Option(names = "--save", required = true, paramLabel = "OUT.npy", description = "Where to write the tensor.")
  Path save;

  @Option(names = "--preprocess", paramLabel = "NAME", description = "imagenet or plain (default: what the model records).")
  String preprocess;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Model m = Model.load(model);
    String tensor = m.resolveLayer(layer);
    Tensor x = Inputs.load(m, input, preprocess, spec.commandLine().getErr());
    Tensor value = m.network().forward(Map.of(m.input(), x), ForwardOptions.keeping(tensor)).get(tensor);
    Npy.write(save, value);
    spec.commandLine().getOut().println(layer + " -> " + tensor + " " + Shapes.toString(value.shape()) + " written to " + save);
    return 0;
  }
}
