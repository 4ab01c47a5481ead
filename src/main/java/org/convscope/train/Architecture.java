package org.convscope.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;

/**
 * A small CNN described layer by layer, built into a trainable {@link Graph}.
 *
 * <p>Node and weight names follow PyTorch's export ({@code /stage1/stage1.conv1/Conv}, {@code stage1.conv1.weight}),
 * so module paths such as {@code stage2} or {@code stage2.conv1} name layers exactly as for an imported model.
 * Weights use He initialization (He et al., "Delving Deep into Rectifiers", ICCV 2015), which keeps activations
 * at a steady scale through ReLU layers.
 */
public final class Architecture {
  /** The ONNX opset of built graphs: BatchNormalization-15 and the axes-as-input reductions. */
  public static final int OPSET = 17;

  private final String name;
  private final int channels;
  private final int height;
  private final int width;
  private final List<Layer> layers;

  private sealed interface Layer permits Conv, BatchNorm, Relu, MaxPool, GlobalAveragePool, Linear {
    String module();
  }

  private record Conv(String module, int outChannels, int kernel, int stride, boolean bias) implements Layer {}

  private record BatchNorm(String module) implements Layer {}

  private record Relu(String module) implements Layer {}

  private record MaxPool(String module, int kernel) implements Layer {}

  private record GlobalAveragePool(String module) implements Layer {}

  private record Linear(String module, int outFeatures) implements Layer {}

  private Architecture(String name, int channels, int height, int width, List<Layer> layers) {
    this.name = name;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.layers = List.copyOf(layers);
  }

  public String name() {
    return name;
  }

  /**
   * The demo network: three conv stages (32, 64, 128 channels) with batch norm and ReLU, max pooling between
   * stages, then global average pooling and a linear classifier, so that CAM applies. About 140,000 weights.
   */
  public static Architecture demo(int channels, int height, int width, int classes) {
    Builder b = new Builder("convscope-demo", channels, height, width);
    b.stage("stage1").convBnRelu(32).convBnRelu(32).maxPool(2);
    b.stage("stage2").convBnRelu(64).convBnRelu(64).maxPool(2);
    b.stage("stage3").convBnRelu(128);
    return b.head().globalAveragePool().linear(classes).build();
  }

  /** A two-stage network of a few thousand weights, for tests and quick experiments. */
  public static Architecture tiny(int channels, int height, int width, int classes) {
    Builder b = new Builder("convscope-tiny", channels, height, width);
    b.stage("stage1").convBnRelu(8).maxPool(2);
    b.stage("stage2").convBnRelu(16);
    return b.head().globalAveragePool().linear(classes).build();
  }

  /** The architectures {@code train --arch} accepts. */
  public static Architecture named(String arch, int channels, int height, int width, int classes) {
    return switch (arch) {
      case "demo" -> demo(channels, height, width, classes);
      case "tiny" -> tiny(channels, height, width, classes);
      default -> throw new IllegalArgumentException("unknown architecture '" + arch + "'; expected demo or tiny");
    };
  }

  public static Builder builder(String name, int channels, int height, int width) {
    return new Builder(name, channels, height, width);
  }

  /** Builds the graph with freshly initialized weights. */
  public Graph build(long seed, Map<String, String> metadata) {
    Random random = new Random(seed);
    GraphBuilder g = new GraphBuilder(name, OPSET);
    String x = g.input("input", -1, channels, height, width);
    int c = channels;
    for (Layer layer : layers) {
      String m = layer.module();
      String scope = scope(m);
      if (layer instanceof Conv conv) {
        int k = conv.kernel();
        List<String> inputs = new ArrayList<>(List.of(x,
            g.initializer(m + ".weight", heNormal(random, c * k * k, conv.outChannels(), c, k, k))));
        if (conv.bias()) inputs.add(g.initializer(m + ".bias", Tensor.zeros(conv.outChannels())));
        int pad = k / 2;
        x = g.node("Conv", scope + "/Conv", inputs, Map.of("kernel_shape", new long[] {k, k},
            "pads", new long[] {pad, pad, pad, pad}, "strides", new long[] {conv.stride(), conv.stride()}));
        c = conv.outChannels();
      } else if (layer instanceof BatchNorm) {
        x = g.node("BatchNormalization", scope + "/BatchNormalization", List.of(x,
            g.initializer(m + ".weight", Tensor.full(1f, c)), g.initializer(m + ".bias", Tensor.zeros(c)),
            g.initializer(m + ".running_mean", Tensor.zeros(c)), g.initializer(m + ".running_var", Tensor.full(1f, c))),
            Map.of("epsilon", 1e-5f, "momentum", 0.9f));
      } else if (layer instanceof Relu) {
        x = g.node("Relu", scope + "/Relu", List.of(x), Map.of());
      } else if (layer instanceof MaxPool pool) {
        long k = pool.kernel();
        x = g.node("MaxPool", scope + "/MaxPool", List.of(x), Map.of("kernel_shape", new long[] {k, k},
            "strides", new long[] {k, k}));
      } else if (layer instanceof GlobalAveragePool) {
        x = g.node("GlobalAveragePool", scope + "/GlobalAveragePool", List.of(x), Map.of());
        x = g.node("Flatten", "/flatten/Flatten", List.of(x), Map.of("axis", 1L));
      } else if (layer instanceof Linear linear) {
        int out = linear.outFeatures();
        x = g.node("Gemm", scope + "/Gemm", List.of(x,
            g.initializer(m + ".weight", heNormal(random, c, out, c)), g.initializer(m + ".bias", Tensor.zeros(out))),
            Map.of("transB", 1L));
        c = out;
      }
    }
    g.output(x, -1, c);
    metadata.forEach(g::metadata);
    return g.build(StandardOps.registry());
  }

  /** "/stage1/stage1.conv1" for module "stage1.conv1", as PyTorch scopes node names. */
  private static String scope(String module) {
    StringBuilder sb = new StringBuilder();
    String[] parts = module.split("\\.");
    for (int i = 0; i < parts.length; i++) sb.append('/').append(String.join(".", List.of(parts).subList(0, i + 1)));
    return sb.toString();
  }

  private static Tensor heNormal(Random random, int fanIn, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    double std = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < d.length; i++) d[i] = (float) (random.nextGaussian() * std);
    return t;
  }

  /** Adds layers in order; {@link #stage} and {@link #head} set the module path prefix of what follows. */
  public static final class Builder {
    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    private String prefix = "";

    private Builder(String name, int channels, int height, int width) {
      if (channels < 1 || height < 1 || width < 1) {
        throw new IllegalArgumentException("input must have positive channels, height and width");
      }
      this.name = name;
      this.channels = channels;
      this.height = height;
      this.width = width;
    }

    /** Modules that follow are called {@code name.conv1}, {@code name.bn1}, ... */
    public Builder stage(String stageName) {
      prefix = stageName + ".";
      counters.clear();
      return this;
    }

    /** Modules that follow sit at the top level ({@code pool}, {@code fc}). */
    public Builder head() {
      prefix = "";
      counters.clear();
      return this;
    }

    private String next(String kind) {
      int n = counters.merge(kind, 1, Integer::sum);
      return prefix + kind + (prefix.isEmpty() && n == 1 ? "" : String.valueOf(n));
    }

    public Builder conv(int outChannels, int kernel, int stride, boolean bias) {
      layers.add(new Conv(next("conv"), outChannels, kernel, stride, bias));
      return this;
    }

    public Builder batchNorm() {
      layers.add(new BatchNorm(next("bn")));
      return this;
    }

    public Builder relu() {
      layers.add(new Relu(next("relu")));
      return this;
    }

    /** 3x3 convolution without bias (batch norm supplies it), batch norm and ReLU. */
    public Builder convBnRelu(int outChannels) {
      return conv(outChannels, 3, 1, false).batchNorm().relu();
    }

    public Builder maxPool(int kernel) {
      layers.add(new MaxPool(next("pool"), kernel));
      return this;
    }

    public Builder globalAveragePool() {
      layers.add(new GlobalAveragePool(next("avgpool")));
      return this;
    }

    public Builder linear(int outFeatures) {
      layers.add(new Linear(next("fc"), outFeatures));
      return this;
    }

    public Architecture build() {
      return new Architecture(name, channels, height, width, layers);
    }
  }
}
