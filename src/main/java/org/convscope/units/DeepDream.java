package org.convscope.units;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.input.Bilinear;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * DeepDream (Mordvintsev, Olah and Tyka, "Inceptionism: Going Deeper into Neural Networks", Google Research
 * blog, 2015): amplifies what a layer already sees in an image, by gradient ascent on the image for the mean of
 * the layer's squared activations, with steps of a fixed mean size and a random shift (jitter) before each.
 *
 * <p>It works over octaves: the image is shrunk by {@code octaveScale} again and again, dreamed on smallest
 * first, and the detail added at each scale is enlarged and carried to the next, so that patterns grow at
 * several sizes. Octaves too small for the layer (a map under 2x2) are skipped. The layers before the chosen
 * one must accept any image size, as convolutional layers do.
 */
public final class DeepDream {
  /**
   * @param octaves how many scales, the image's own included
   * @param octaveScale the size ratio between one octave and the next, above 1
   * @param steps ascent steps per octave
   * @param learningRate the mean change of a value per step, in the model's normalized input space
   * @param jitter shift the image by up to this many pixels, at random, before each step; 0 for none
   * @param clip keep the image's pixels in [0,1]
   * @param seed for the jitter
   */
  public record Options(int octaves, double octaveScale, int steps, double learningRate, int jitter, boolean clip, long seed) {
    public Options {
      if (octaves < 1) throw new IllegalArgumentException("need at least one octave, not " + octaves);
      if (!(octaveScale > 1) || !Double.isFinite(octaveScale)) throw new IllegalArgumentException("the octave scale must be above 1, not " + octaveScale);
      if (steps < 1) throw new IllegalArgumentException("need at least one step per octave, not " + steps);
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("the learning rate must be positive, not " + learningRate);
      if (jitter < 0) throw new IllegalArgumentException("jitter must be 0 or more pixels, not " + jitter);
    }

    /**
     * The original's settings: 4 octaves 1.4 apart, 10 steps each, jitter 32 pixels; its step of 1.5 in
     * 0..255 pixel values is about 0.02 in ImageNet-normalized values.
     */
    public static Options defaults() {
      return new Options(4, 1.4, 10, 0.02, 32, true, 1);
    }

    public Options withOctaves(int n) {
      return new Options(n, octaveScale, steps, learningRate, jitter, clip, seed);
    }

    public Options withOctaveScale(double s) {
      return new Options(octaves, s, steps, learningRate, jitter, clip, seed);
    }

    public Options withSteps(int n) {
      return new Options(octaves, octaveScale, n, learningRate, jitter, clip, seed);
    }

    public Options withLearningRate(double lr) {
      return new Options(octaves, octaveScale, steps, lr, jitter, clip, seed);
    }

    public Options withJitter(int pixels) {
      return new Options(octaves, octaveScale, steps, learningRate, pixels, clip, seed);
    }
  }

  /**
   * @param image the dreamed image, a model input [1,C,H,W] of the given image's size
   * @param objective the mean squared activation before each step, octave after octave
   * @param octaves the octaves used, as {height, width}, smallest first
   */
  public record Result(Tensor image, double[] objective, List<int[]> octaves) {}

  private DeepDream() {}

  /**
   * @param image a model input [1,C,H,W]
   * @param preprocessing the model's normalization, for clipping
   * @throws InvalidInputException for an unknown layer or an image with NaN or infinite values, or when the
   *     objective becomes NaN or infinite
   * @throws CancellationException when {@code cancelled} turns true between steps
   */
  public static Result dream(Model model, Preprocessing preprocessing, String layer, Tensor image, Options options,
      StepListener listener, BooleanSupplier cancelled) {
    InputSpace space = new InputSpace(preprocessing);
    if (image.rank() != 4 || image.dim(0) != 1 || image.dim(1) != space.channels()) {
      throw new InvalidInputException("DeepDream takes one image [1," + space.channels() + ",H,W], not " + Shapes.toString(image.shape()));
    }
    int bad = ImageMath.nonFinite(image);
    if (bad > 0) throw new InvalidInputException("the image holds " + bad + " NaN or infinite values");
    LayerCut cut = LayerCut.of(model, layer).withFreeSize();
    List<int[]> sizes = octaveSizes(cut, image, options);
    Random random = new Random(options.seed());
    int total = sizes.size() * options.steps();
    double[] values = new double[total];
    int channels = image.dim(1);
    Tensor detail = null;
    Tensor current = null;
    int step = 0;
    for (int[] size : sizes) {
      Tensor base = resize(image, size[0], size[1]);
      if (detail == null) detail = Tensor.zeros(base.shape());
      Tensor grown = resize(detail, size[0], size[1]);
      current = Tensor.of(add(base.data(), grown.data(), 1), 1, channels, size[0], size[1]);
      for (int i = 0; i < options.steps(); i++, step++) {
        if (cancelled.getAsBoolean()) throw new CancellationException("cancelled at step " + step);
        int dy = options.jitter() == 0 ? 0 : random.nextInt(2 * options.jitter() + 1) - options.jitter();
        int dx = options.jitter() == 0 ? 0 : random.nextInt(2 * options.jitter() + 1) - options.jitter();
        GradientAscent.Evaluation e = meanSquare(cut, ImageMath.roll(current, dy, dx), step);
        values[step] = e.value();
        ImageMath.step(current, ImageMath.roll(e.gradient(), -dy, -dx), options.learningRate(), true);
        if (options.clip()) space.clampToPixelRange(current);
        listener.stepDone(step, total, values[step]);
      }
      detail = Tensor.of(add(current.data(), base.data(), -1), current.shape());
    }
    return new Result(current, values, List.copyOf(sizes));
  }

  /** The octaves' sizes, smallest first, leaving out those where the layer's map would be under 2x2. */
  private static List<int[]> octaveSizes(LayerCut cut, Tensor image, Options options) {
    List<int[]> sizes = new ArrayList<>();
    for (int o = 0; o < options.octaves(); o++) {
      double shrink = Math.pow(options.octaveScale(), o);
      int[] size = {(int) Math.round(image.dim(2) / shrink), (int) Math.round(image.dim(3) / shrink)};
      if (o > 0 && !bigEnough(cut, image.dim(1), size)) break;
      sizes.add(0, size);
    }
    return sizes;
  }

  private static boolean bigEnough(LayerCut cut, int channels, int[] size) {
    if (size[0] < 1 || size[1] < 1) return false;
    try {
      int[] shape = cut.geometry(new int[] {1, channels, size[0], size[1]}).shape();
      return shape.length != 4 || shape[2] >= 2 && shape[3] >= 2;
    } catch (InvalidModelException | InvalidInputException tooSmall) {
      return false; // a window larger than the image, for example
    }
  }

  /** The mean of the layer's squared activations at {@code image}, and its gradient. */
  private static GradientAscent.Evaluation meanSquare(LayerCut cut, Tensor image, int step) {
    Network network = cut.network();
    String input = network.inputName();
    try (Trace trace = network.forward(Map.of(input, image), ForwardOptions.forBackward())) {
      return meanSquare(cut, trace, step);
    }
  }

  private static GradientAscent.Evaluation meanSquare(LayerCut cut, Trace trace, int step) {
    String input = cut.network().inputName();
    Tensor a = trace.get(cut.tensor());
    float[] v = a.data();
    float[] seed = new float[v.length];
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      sum += (double) v[i] * v[i];
      seed[i] = 2 * v[i] / v.length;
    }
    double value = sum / v.length;
    if (!Double.isFinite(value)) {
      throw new InvalidInputException("the mean squared activation of '" + cut.layer() + "' is " + value + " at step " + step
          + (step == 0 ? "" : "; try a smaller learning rate"));
    }
    Tensor gradient = cut.network().backward(trace, Map.of(cut.tensor(), Tensor.of(seed, a.shape())), List.of(input),
        BackwardRules.DEFAULT).get(input);
    return new GradientAscent.Evaluation(value, gradient);
  }

  private static Tensor resize(Tensor image, int height, int width) {
    if (image.dim(2) == height && image.dim(3) == width) return image;
    int channels = image.dim(1);
    return Tensor.of(Bilinear.resize(image.data(), channels, image.dim(2), image.dim(3), height, width), 1, channels, height, width);
  }

  /** a + sign * b, elementwise, as a new array. */
  private static float[] add(float[] a, float[] b, int sign) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[i] + sign * b[i];
    return out;
  }
}
