package org.convscope.input;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * How an image becomes a network input: resize (and maybe centre-crop), scale pixel values to [0,1], convert
 * to the model's channel count, then normalize each channel as {@code (value - mean) / std}.
 *
 * <p>Grey images given to a 3-channel model are repeated into R, G and B; colour images given to a 1-channel
 * model are reduced to luminance, {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as PIL's {@code "L"} mode).
 * Alpha is ignored.
 *
 * @param resize the geometric step
 * @param channels 1 (grey) or 3 (RGB)
 * @param mean per-channel mean subtracted after scaling to [0,1]; one value per channel
 * @param std per-channel standard deviation divided by; one positive value per channel
 */
public record Preprocessing(Resize resize, int channels, List<Float> mean, List<Float> std) {
  private static final List<Float> IMAGENET_MEAN = List.of(0.485f, 0.456f, 0.406f);
  private static final List<Float> IMAGENET_STD = List.of(0.229f, 0.224f, 0.225f);

  public Preprocessing {
    Objects.requireNonNull(resize, "resize");
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), not " + channels);
    }
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (mean.size() != channels || std.size() != channels) {
      throw new IllegalArgumentException("need one mean and one std per channel (" + channels + "), got "
          + mean.size() + " means and " + std.size() + " stds");
    }
    for (float m : mean) if (!Float.isFinite(m)) throw new IllegalArgumentException("mean " + m + " is not finite");
    for (float s : std) {
      if (!(s > 0) || !Float.isFinite(s)) throw new IllegalArgumentException("std must be positive and finite, not " + s);
    }
  }

  /** The geometric step of preprocessing. */
  public sealed interface Resize permits Keep, To, ShorterSideThenCrop {}

  /** Keep the image's own size. */
  public record Keep() implements Resize {}

  /** Resize to exactly {@code height} x {@code width}, ignoring the aspect ratio. */
  public record To(int height, int width) implements Resize {
    public To {
      if (height < 1 || width < 1) throw new IllegalArgumentException("resize target " + height + "x" + width + " must be positive");
    }
  }

  /**
   * Resize so the shorter side is {@code shorterSide}, keeping the aspect ratio, then cut the central
   * {@code height} x {@code width} region (torchvision's {@code Resize(s)} then {@code CenterCrop((h, w))}).
   */
  public record ShorterSideThenCrop(int shorterSide, int height, int width) implements Resize {
    public ShorterSideThenCrop {
      if (height < 1 || width < 1) throw new IllegalArgumentException("crop " + height + "x" + width + " must be positive");
      if (shorterSide < Math.max(height, width)) {
        throw new IllegalArgumentException("shorter side " + shorterSide + " is smaller than the crop " + height + "x" + width);
      }
    }
  }

  /** ImageNet models: shorter side to 256, centre crop 224x224, RGB, ImageNet mean and std. */
  public static Preprocessing imagenet() {
    return new Preprocessing(new ShorterSideThenCrop(256, 224, 224), 3, IMAGENET_MEAN, IMAGENET_STD);
  }

  /** Values in [0,1] at the image's own size, no normalization. */
  public static Preprocessing plain(int channels) {
    return new Preprocessing(new Keep(), channels, Collections.nCopies(channels, 0f), Collections.nCopies(channels, 1f));
  }

  /**
   * A preset by name: {@code imagenet} or {@code plain} (RGB; use {@link #withChannels} for grey models).
   *
   * @throws IllegalArgumentException naming the known presets
   */
  public static Preprocessing named(String name) {
    return switch (name) {
      case "imagenet" -> imagenet();
      case "plain" -> plain(3);
      default -> throw new IllegalArgumentException("unknown preprocessing '" + name + "'; expected imagenet or plain");
    };
  }

  /** The same preprocessing with another resize step. */
  public Preprocessing withResize(Resize newResize) {
    return new Preprocessing(newResize, channels, mean, std);
  }

  /**
   * The same preprocessing for a model with {@code newChannels} channels. Statistics shared by all channels
   * carry over; per-channel statistics (such as ImageNet's) cannot be mapped to another channel count.
   *
   * @throws IllegalArgumentException when the statistics differ between channels and the count changes
   */
  public Preprocessing withChannels(int newChannels) {
    if (newChannels == channels) return this;
    if (mean.stream().distinct().count() > 1 || std.stream().distinct().count() > 1) {
      throw new IllegalArgumentException("the normalization has different statistics for each of its " + channels
          + " channels, so it cannot be used for a model with " + newChannels + " channel(s)");
    }
    return new Preprocessing(resize, newChannels, Collections.nCopies(newChannels, mean.get(0)),
        Collections.nCopies(newChannels, std.get(0)));
  }

  /** The {height, width} of the result for an image of the given size. */
  public int[] outputSize(int imageHeight, int imageWidth) {
    if (resize instanceof To to) return new int[] {to.height(), to.width()};
    if (resize instanceof ShorterSideThenCrop crop) return new int[] {crop.height(), crop.width()};
    return new int[] {imageHeight, imageWidth};
  }

  /** Whether every image gives the same output size, whatever its own size. */
  public boolean fixesSize() {
    return !(resize instanceof Keep);
  }
}
