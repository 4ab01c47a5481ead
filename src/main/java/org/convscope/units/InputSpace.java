package org.convscope.units;

import org.convscope.input.Preprocessing;
import org.convscope.tensor.Tensor;

/**
 * Moves images between pixel space (datasets, displays: values in [0,1]) and the model's input space,
 * {@code (pixel - mean) / std} per channel as the model's preprocessing says.
 */
public final class InputSpace {
  private final float[] mean;
  private final float[] std;

  public InputSpace(Preprocessing preprocessing) {
    int channels = preprocessing.channels();
    mean = new float[channels];
    std = new float[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = preprocessing.mean().get(c);
      std[c] = preprocessing.std().get(c);
    }
  }

  public int channels() {
    return mean.length;
  }

  /** Model inputs for pixel images [B,C,H,W]; a new tensor. */
  public Tensor toModel(Tensor pixels) {
    checkChannels(pixels);
    float[] in = pixels.data();
    float[] out = new float[in.length];
    int plane = pixels.dim(2) * pixels.dim(3);
    for (int i = 0; i < in.length; i++) {
      int c = (i / plane) % mean.length;
      out[i] = (in[i] - mean[c]) / std[c];
    }
    return Tensor.of(out, pixels.shape());
  }

  /** Pixel images for model inputs [B,C,H,W], not clamped; a new tensor. */
  public Tensor toPixels(Tensor input) {
    checkChannels(input);
    float[] in = input.data();
    float[] out = new float[in.length];
    int plane = input.dim(2) * input.dim(3);
    for (int i = 0; i < in.length; i++) {
      int c = (i / plane) % mean.length;
      out[i] = in[i] * std[c] + mean[c];
    }
    return Tensor.of(out, input.shape());
  }

  /** The standard deviation the model divides channel {@code c} by. */
  float std(int c) {
    return std[c];
  }

  /** The model input for a pixel value, per channel. */
  float toModel(int channel, float pixel) {
    return (pixel - mean[channel]) / std[channel];
  }

  /** Clamps a model input [B,C,H,W] in place to the images whose pixels lie in [0,1]. */
  void clampToPixelRange(Tensor input) {
    float[] d = input.data();
    int plane = input.dim(2) * input.dim(3);
    for (int i = 0; i < d.length; i++) {
      int c = (i / plane) % mean.length;
      d[i] = Math.max(toModel(c, 0), Math.min(toModel(c, 1), d[i]));
    }
  }

  private void checkChannels(Tensor t) {
    if (t.rank() != 4 || t.dim(1) != mean.length) {
      throw new IllegalArgumentException("expected images [B," + mean.length + ",H,W] for this preprocessing, got " + t);
    }
  }
}
