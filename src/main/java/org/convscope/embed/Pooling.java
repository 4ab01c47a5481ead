package org.convscope.embed;

import java.util.Locale;

/** How a layer's spatial maps [C,H,W] become one feature vector. */
public enum Pooling {
  /** The mean of each channel over its map: C values, the usual image descriptor (as global average pooling). */
  AVG,
  /** The maximum of each channel over its map: C values, whether a feature fired anywhere. */
  MAX,
  /** Every value, C*H*W of them: keeps where things are, and the dimension grows with the image. */
  FLAT;

  /**
   * A pooling by its command-line name, {@code avg}, {@code max} or {@code flat}.
   *
   * @throws IllegalArgumentException naming the three
   */
  public static Pooling named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "avg" -> AVG;
      case "max" -> MAX;
      case "flat" -> FLAT;
      default -> throw new IllegalArgumentException("unknown pooling '" + name + "'; expected avg, max or flat");
    };
  }

  /**
   * Pools row {@code b} of a batch of activations whose examples hold {@code channels} maps of {@code plane}
   * values each ([B,C,H,W], [B,C,L] or [B,C] with plane 1).
   */
  public float[] pool(float[] activations, int b, int channels, int plane) {
    int per = channels * plane;
    if (this == FLAT || plane == 1) {
      float[] out = new float[per];
      System.arraycopy(activations, b * per, out, 0, per);
      return out;
    }
    float[] out = new float[channels];
    for (int c = 0; c < channels; c++) {
      int from = b * per + c * plane;
      if (this == AVG) {
        double sum = 0;
        for (int i = 0; i < plane; i++) sum += activations[from + i];
        out[c] = (float) (sum / plane);
      } else {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < plane; i++) max = Math.max(max, activations[from + i]);
        out[c] = max;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
