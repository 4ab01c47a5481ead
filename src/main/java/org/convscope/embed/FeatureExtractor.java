package org.convscope.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.model.Predictions;
import org.convscope.tensor.Tensor;

/**
 * A layer's activations as one feature vector per image, with the model's predicted class: by default the input
 * of the final linear layer (Gemm or MatMul), the representation the classifier reads; spatial maps are pooled.
 * Immutable; the forward passes share the model.
 */
public final class FeatureExtractor {
  private final Model model;
  private final FeatureOptions options;
  private final String tensor;
  private final String layer;
  private final Preprocessing preprocessing;

  /**
   * @throws InvalidInputException for an unknown layer, or a model without a final linear layer when no layer
   *     is named
   */
  public FeatureExtractor(Model model, FeatureOptions options) {
    this.model = model;
    this.options = options;
    this.tensor = options.layer() == null ? finalLinearInput(model.graph()) : model.resolveLayer(options.layer());
    this.layer = options.layer() == null ? "input of " + finalLinearNode(model.graph()).name() : options.layer();
    this.preprocessing = ModelPreprocessing.of(model);
  }

  /** The tensor features are read from. */
  public String tensor() {
    return tensor;
  }

  /** The layer as the user named it, or a description of the default. */
  public String layer() {
    return layer;
  }

  public FeatureOptions options() {
    return options;
  }

  /** The pixel preprocessing a dataset is opened with: the model's size and channels, values left in [0, 1]. */
  public Preprocessing datasetPreprocessing() {
    int[] dims = model.inputInfo().dims();
    int channels = dims != null && dims.length == 4 && dims[1] > 0 ? dims[1] : preprocessing.channels();
    return Preprocessing.plain(channels).withResize(preprocessing.resize());
  }

  /**
   * The features of the examples at {@code order}, a batch at a time, handed to {@code sink} in order.
   *
   * @throws CancellationException when {@code cancelled} turns true (checked between batches)
   */
  public void extract(Dataset data, int[] order, Sink sink, BooleanSupplier cancelled) throws IOException {
    checkChannels(data);
    try {
      for (Batch batch : data.batches(order, options.batchSize())) {
        if (cancelled.getAsBoolean()) throw new CancellationException("feature extraction cancelled");
        sink.accept(batch, features(normalized(batch.images())));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The length of the vectors this extractor gives for a dataset's images (with flat pooling it depends on their size). */
  public int dimension(Dataset data) throws IOException {
    checkChannels(data);
    return features(normalized(data.batch(new int[] {0}).images())).vectors()[0].length;
  }

  /** Receives each batch with its features. */
  @FunctionalInterface
  public interface Sink {
    void accept(Batch batch, Features features) throws IOException;
  }

  /**
   * @param vectors one pooled vector per image
   * @param predicted the arg max of the model's output per image, -1 when the output is not [N, classes]
   */
  public record Features(float[][] vectors, int[] predicted) {}

  /** The features of images already preprocessed for the model (normalized [N,C,H,W]). */
  public Features features(Tensor images) {
    Trace trace = model.network().forward(Map.of(model.input(), images), ForwardOptions.keeping(tensor));
    Tensor activations = trace.get(tensor);
    int n = images.dim(0);
    if (activations.rank() < 2 || activations.dim(0) != n) {
      throw new InvalidInputException("layer " + layer + " gives " + activations + ", not one row per image; choose another layer");
    }
    int channels = activations.dim(1);
    int plane = activations.size() / (n * channels);
    float[] values = activations.data();
    float[][] vectors = new float[n][];
    for (int b = 0; b < n; b++) vectors[b] = options.pooling().pool(values, b, channels, plane);
    Tensor output = trace.get(model.output());
    int[] predicted = new int[n];
    if (output.rank() == 2 && output.dim(0) == n) {
      predicted = Predictions.argmax(output);
    } else {
      java.util.Arrays.fill(predicted, -1);
    }
    return new Features(vectors, predicted);
  }

  /** The input tensor of the last Gemm or MatMul node in execution order. */
  static String finalLinearInput(Graph graph) {
    Node node = finalLinearNode(graph);
    // MatMul may take its weight on either side; the features are the input that is not an initializer.
    String first = node.input(0);
    return graph.initializers().containsKey(first) ? node.input(1) : first;
  }

  private static Node finalLinearNode(Graph graph) {
    Node last = null;
    for (Node node : graph.nodes()) {
      if (node.opType().equals("Gemm") || node.opType().equals("MatMul")) last = node;
    }
    if (last == null) throw new InvalidInputException("the model has no final linear layer (Gemm or MatMul); name a layer with --layer");
    return last;
  }

  private void checkChannels(Dataset data) {
    int[] dims = model.inputInfo().dims();
    if (dims != null && dims.length == 4 && dims[1] > 0 && dims[1] != data.channels()) {
      throw new InvalidInputException(data.name() + " has " + data.channels() + " channel(s) but " + model.source() + " expects " + dims[1]);
    }
  }

  /** (x - mean) / std per channel, with the model's statistics, into a new tensor. */
  private Tensor normalized(Tensor images) {
    Preprocessing p = preprocessing.withChannels(images.dim(1));
    int channels = images.dim(1);
    int plane = images.dim(2) * images.dim(3);
    float[] in = images.data();
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      int c = (i / plane) % channels;
      out[i] = (in[i] - p.mean().get(c)) / p.std().get(c);
    }
    return Tensor.of(out, images.shape());
  }
}
