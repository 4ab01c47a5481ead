package org.convscope.units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Visualization by gradient ascent: the image that maximizes a class score, a channel or a neuron (Erhan et
 * al., "Visualizing Higher-Layer Features of a Deep Network", 2009), with an L2 penalty as Simonyan et al. do
 * for class models ("Deep Inside Convolutional Networks", ICLR workshop 2014):
 * {@code argmax_I f(I) - lambda ||I||^2}, step by step from a grey, random or given image, in the model's
 * normalized input space.
 *
 * <p>Stronger regularizers, each optional: jitter (a random shift before each step) and periodic Gaussian
 * blur, as Yosinski et al. use ("Understanding Neural Networks Through Deep Visualization", ICML workshop
 * 2015); squared total variation (Mahendran and Vedaldi, CVPR 2015); clipping to the images whose pixels lie
 * in [0,1]; and Lucid's decorrelated (Fourier) parameterization (Olah et al., "Feature Visualization", Distill
 * 2017; see {@link SpectralPreconditioner}), with its colour decorrelation for RGB models
 * ({@link ColorDecorrelation}).
 *
 * <p>Steps are plain gradient steps, {@code I += lr * grad J}, or, by default, normalized ones: the direction
 * divided by its mean absolute value, so that {@code lr} is the average change of a value per step whatever the
 * scale of the objective (as DeepDream does). Only the input's gradient is computed: the backward pass reaches
 * no weight.
 */
public final class GradientAscent {
  /**
   * @param steps how many steps
   * @param learningRate the step size
   * @param l2 lambda, the weight of the squared norm of the image; 0 for none
   * @param jitter shift the image by up to this many pixels, at random, before each step; 0 for none
   * @param blurEvery blur the image every this many steps; 0 for never
   * @param blurSigma the blur's standard deviation in pixels
   * @param totalVariation the weight of the squared total variation; 0 for none
   * @param clip keep the image's pixels in [0,1]
   * @param fourier take steps as in the decorrelated Fourier parameterization
   * @param decorrelate take steps as in Lucid's decorrelated colour space ({@link ColorDecorrelation}); RGB
   *     models only
   * @param normalizedSteps divide each step's direction by its mean absolute value
   * @param snapshotEvery keep the image every this many steps (and the last); 0 for none
   * @param seed for the jitter
   */
  public record Options(int steps, double learningRate, double l2, int jitter, int blurEvery, double blurSigma,
      double totalVariation, boolean clip, boolean fourier, boolean decorrelate, boolean normalizedSteps, int snapshotEvery,
      long seed) {
    public Options {
      if (steps < 1) throw new IllegalArgumentException("need at least one step, not " + steps);
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("the learning rate must be positive, not " + learningRate);
      if (!(l2 >= 0) || !Double.isFinite(l2)) throw new IllegalArgumentException("the L2 weight must be 0 or more, not " + l2);
      if (jitter < 0) throw new IllegalArgumentException("jitter must be 0 or more pixels, not " + jitter);
      if (blurEvery < 0) throw new IllegalArgumentException("blur-every must be 0 (never) or more, not " + blurEvery);
      if (!(blurSigma > 0) || !Double.isFinite(blurSigma)) throw new IllegalArgumentException("the blur's sigma must be positive, not " + blurSigma);
      if (!(totalVariation >= 0) || !Double.isFinite(totalVariation)) throw new IllegalArgumentException("the total variation weight must be 0 or more, not " + totalVariation);
      if (snapshotEvery < 0) throw new IllegalArgumentException("snapshot-every must be 0 (none) or more, not " + snapshotEvery);
    }

    /** 128 normalized steps of 0.05, clipped to valid pixels, no other regularizer. */
    public static Options defaults() {
      return new Options(128, 0.05, 0, 0, 0, 1.0, 0, true, false, false, true, 0, 1);
    }

    public Options withSteps(int n) {
      return new Options(n, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withLearningRate(double lr) {
      return new Options(steps, lr, l2, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withL2(double lambda) {
      return new Options(steps, learningRate, lambda, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withJitter(int pixels) {
      return new Options(steps, learningRate, l2, pixels, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withBlur(int every, double sigma) {
      return new Options(steps, learningRate, l2, jitter, every, sigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withTotalVariation(double weight) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, weight, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withClip(boolean on) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, on, fourier, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withFourier(boolean on) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, clip, on, decorrelate, normalizedSteps, snapshotEvery, seed);
    }

    public Options withDecorrelate(boolean on) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, on, normalizedSteps, snapshotEvery, seed);
    }

    public Options withNormalizedSteps(boolean on) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, on, snapshotEvery, seed);
    }

    public Options withSnapshotEvery(int every) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, every, seed);
    }

    public Options withSeed(long s) {
      return new Options(steps, learningRate, l2, jitter, blurEvery, blurSigma, totalVariation, clip, fourier, decorrelate, normalizedSteps, snapshotEvery, s);
    }
  }

  /** Where the image starts. */
  public sealed interface Start permits Blank, Noise, Given {}

  /** Mid-grey: every pixel 0.5. */
  public record Blank(int height, int width) implements Start {
    public Blank {
      checkSize(height, width);
    }
  }

  /** Mid-grey plus Gaussian noise of {@code std} in pixel values, from {@code seed}. */
  public record Noise(int height, int width, double std, long seed) implements Start {
    public Noise {
      checkSize(height, width);
      if (!(std >= 0) || !Double.isFinite(std)) throw new IllegalArgumentException("the noise's std must be 0 or more, not " + std);
    }
  }

  private static void checkSize(int height, int width) {
    if (height < 1 || width < 1) throw new IllegalArgumentException("the image must have a positive size, not " + height + "x" + width);
  }

  /** A given model input [1,C,H,W], already normalized. */
  public record Given(Tensor input) implements Start {}

  /** The image after step {@code step} (0: the start). */
  public record Snapshot(int step, Tensor image) {}

  /**
   * @param image the final image, a model input [1,C,H,W]
   * @param objective f at each step, on the (jittered) image the step's gradient was taken at, then f of the final
   *     image: steps + 1 values
   * @param regularized f minus the penalties (L2, total variation), at the same steps
   * @param snapshots the start, every {@code snapshotEvery} steps and the final image; empty when not asked
   */
  public record Result(Tensor image, double[] objective, double[] regularized, List<Snapshot> snapshots) {}

  private GradientAscent() {}

  /**
   * @param preprocessing the model's normalization, for the grey start, clipping and the channel count
   * @throws IllegalArgumentException for colour decorrelation on a model whose inputs are not RGB
   * @throws InvalidInputException for an objective the model does not have (layer, channel, position, class),
   *     a start image with NaN or infinite values, or an objective that becomes NaN or infinite
   * @throws CancellationException when {@code cancelled} turns true between steps
   */
  public static Result run(Model model, Preprocessing preprocessing, Objective objective, Start start, Options options,
      StepListener listener, BooleanSupplier cancelled) {
    InputSpace space = new InputSpace(preprocessing);
    Tensor image = startImage(start, space);
    Target target = Target.bind(model, objective, image.shape());
    SpectralPreconditioner spectral = options.fourier() ? new SpectralPreconditioner(image.dim(2), image.dim(3)) : null;
    ColorDecorrelation colors = options.decorrelate() ? new ColorDecorrelation(space) : null;
    Random random = new Random(options.seed());
    double[] values = new double[options.steps() + 1];
    double[] regularized = new double[options.steps() + 1];
    List<Snapshot> snapshots = new ArrayList<>();
    for (int step = 0; step < options.steps(); step++) {
      if (cancelled.getAsBoolean()) throw new CancellationException("cancelled at step " + step);
      if (options.snapshotEvery() > 0 && step % options.snapshotEvery() == 0) snapshots.add(new Snapshot(step, image.copy()));
      int dy = options.jitter() == 0 ? 0 : random.nextInt(2 * options.jitter() + 1) - options.jitter();
      int dx = options.jitter() == 0 ? 0 : random.nextInt(2 * options.jitter() + 1) - options.jitter();
      Evaluation e = target.evaluate(ImageMath.roll(image, dy, dx), true, step);
      float[] direction = ImageMath.roll(e.gradient(), -dy, -dx).data();
      values[step] = e.value();
      regularized[step] = e.value() - penalties(image, options, direction);
      Tensor move = Tensor.of(direction, image.shape());
      if (spectral != null) move = spectral.apply(move);
      if (colors != null) move = colors.apply(move);
      ImageMath.step(image, move, options.learningRate(), options.normalizedSteps());
      if (options.blurEvery() > 0 && (step + 1) % options.blurEvery() == 0) ImageMath.gaussianBlur(image, options.blurSigma());
      if (options.clip()) space.clampToPixelRange(image);
      listener.stepDone(step, options.steps(), e.value());
    }
    double last = target.evaluate(image, false, options.steps()).value();
    values[options.steps()] = last;
    regularized[options.steps()] = last - penalties(image, options, null);
    if (options.snapshotEvery() > 0) snapshots.add(new Snapshot(options.steps(), image.copy()));
    return new Result(image, values, regularized, List.copyOf(snapshots));
  }

  /** L2 and total variation of the image; their gradients (times -1: we ascend) are added to {@code direction}. */
  private static double penalties(Tensor image, Options options, float[] direction) {
    double penalty = 0;
    if (options.l2() > 0) {
      penalty += options.l2() * ImageMath.squaredNorm(image);
      if (direction != null) {
        float[] d = image.data();
        for (int i = 0; i < d.length; i++) direction[i] -= (float) (2 * options.l2() * d[i]);
      }
    }
    if (options.totalVariation() > 0) {
      float[] tv = direction == null ? null : new float[direction.length];
      penalty += options.totalVariation() * ImageMath.totalVariation(image, options.totalVariation(), tv);
      if (tv != null) for (int i = 0; i < tv.length; i++) direction[i] -= tv[i];
    }
    return penalty;
  }

  private static Tensor startImage(Start start, InputSpace space) {
    int channels = space.channels();
    if (start instanceof Given given) {
      Tensor input = given.input();
      if (input.rank() != 4 || input.dim(0) != 1 || input.dim(1) != channels) {
        throw new InvalidInputException("the start image must be one image [1," + channels + ",H,W], not "
            + Shapes.toString(input.shape()));
      }
      int bad = ImageMath.nonFinite(input);
      if (bad > 0) throw new InvalidInputException("the start image holds " + bad + " NaN or infinite values");
      return input.copy();
    }
    int height = start instanceof Blank b ? b.height() : ((Noise) start).height();
    int width = start instanceof Blank b ? b.width() : ((Noise) start).width();
    Tensor pixels = Tensor.full(0.5f, 1, channels, height, width);
    if (start instanceof Noise noise) {
      Random random = new Random(noise.seed());
      float[] p = pixels.data();
      for (int i = 0; i < p.length; i++) p[i] += (float) (noise.std() * random.nextGaussian());
    }
    return space.toModel(pixels);
  }

  /** An objective's value and its gradient with respect to the image. */
  record Evaluation(double value, Tensor gradient) {}

  /** An objective bound to a model: the network that computes it, its tensor, and how to read and seed it. */
  private record Target(Objective objective, Network network, String tensor, int channels, int position, boolean mean) {
    static Target bind(Model model, Objective objective, int[] inputShape) {
      if (objective instanceof Objective.ClassScore c) {
        Network network = model.network();
        Tensor logits = network.predict(Tensor.zeros(inputShape));
        int classes = logits.size() / logits.dim(0);
        model.checkClass(c.index(), classes);
        return new Target(objective, network, model.output(), classes, c.index(), false);
      }
      String layer = objective instanceof Objective.ChannelMean m ? m.layer() : ((Objective.Neuron) objective).layer();
      int channel = objective instanceof Objective.ChannelMean m ? m.channel() : ((Objective.Neuron) objective).channel();
      LayerCut cut = LayerCut.of(model, layer);
      LayerCut.Geometry geometry = cut.geometry(inputShape);
      int[] shape = geometry.shape();
      if (shape.length < 2) throw new InvalidInputException("layer '" + layer + "' has no channels (output " + Shapes.toString(shape) + ")");
      geometry.checkChannel(channel);
      if (objective instanceof Objective.Neuron n) {
        if (shape.length != 4) {
          throw new InvalidInputException("layer '" + layer + "' has no spatial map (output " + Shapes.toString(shape)
              + "), so it has no neuron at a position; use channel:" + layer + ":" + channel);
        }
        if (n.y() >= shape[2] || n.x() >= shape[3]) {
          throw new InvalidInputException("position (" + n.y() + "," + n.x() + ") is outside layer '" + layer + "''s "
              + shape[2] + "x" + shape[3] + " map");
        }
        return new Target(objective, cut.network(), cut.tensor(), shape[1], (channel * shape[2] + n.y()) * shape[3] + n.x(), false);
      }
      return new Target(objective, cut.network(), cut.tensor(), shape[1], channel, true);
    }

    /** The objective at {@code image} [1,C,H,W], and its gradient when asked. */
    Evaluation evaluate(Tensor image, boolean withGradient, int step) {
      String input = network.inputName();
      Map<String, Tensor> feed = Map.of(input, image);
      ForwardOptions options = withGradient ? ForwardOptions.forBackward() : ForwardOptions.inference();
      try (Trace trace = network.forward(feed, options)) {
        return evaluate(trace, step);
      }
    }

    private Evaluation evaluate(Trace trace, int step) {
      String input = network.inputName();
      Tensor out = trace.get(tensor);
      float[] values = out.data();
      Tensor seed = Tensor.zeros(out.shape());
      double value;
      if (mean) {
        int plane = out.size() / (out.dim(0) * channels);
        double sum = 0;
        for (int i = position * plane; i < (position + 1) * plane; i++) sum += values[i];
        value = sum / plane;
        Arrays.fill(seed.data(), position * plane, (position + 1) * plane, 1f / plane);
      } else {
        value = values[position];
        seed.data()[position] = 1;
      }
      if (!Double.isFinite(value)) {
        throw new InvalidInputException("the objective " + objective.describe() + " is " + value + " at step " + step
            + (step == 0 ? " for the start image" : "; try a smaller learning rate"));
      }
      if (!trace.isRecorded()) return new Evaluation(value, null);
      Tensor gradient = network.backward(trace, Map.of(tensor, seed), List.of(input), BackwardRules.DEFAULT).get(input);
      return new Evaluation(value, gradient);
    }
  }
}
