package org.convscope.units;

import java.util.Arrays;

/**
 * What gradient ascent maximizes: a class score (the logit, before softmax), a channel's mean activation, or
 * one neuron (a channel at one position of a layer's map).
 */
public sealed interface Objective permits Objective.ClassScore, Objective.ChannelMean, Objective.Neuron {
  /** The logit of class {@code index}. */
  record ClassScore(int index) implements Objective {
    @Override
    public String describe() {
      return "class:" + index;
    }
  }

  /** The mean over positions of channel {@code channel} of {@code layer}. */
  record ChannelMean(String layer, int channel) implements Objective {
    @Override
    public String describe() {
      return "channel:" + layer + ":" + channel;
    }
  }

  /** Channel {@code channel} of {@code layer} at row {@code y}, column {@code x} of its map. */
  record Neuron(String layer, int channel, int y, int x) implements Objective {
    @Override
    public String describe() {
      return "neuron:" + layer + ":" + channel + ":" + y + ":" + x;
    }
  }

  /** The objective as {@link #parse} reads it. */
  String describe();

  /**
   * Reads {@code class:K}, {@code channel:LAYER:C} or {@code neuron:LAYER:C:Y:X}. The numbers are taken from the
   * end, so a layer name may itself hold colons (TensorFlow's {@code conv1/Relu:0}).
   *
   * @throws IllegalArgumentException saying what was expected
   */
  static Objective parse(String text) {
    String expected = "expected class:K, channel:LAYER:C or neuron:LAYER:C:Y:X";
    int colon = text.indexOf(':');
    if (colon < 0) throw new IllegalArgumentException("objective '" + text + "': " + expected);
    String kind = text.substring(0, colon);
    String rest = text.substring(colon + 1);
    int numbers = switch (kind) {
      case "class", "channel" -> 1;
      case "neuron" -> 3;
      default -> throw new IllegalArgumentException("objective '" + text + "': unknown kind '" + kind + "'; " + expected);
    };
    String[] parts = rest.split(":", -1);
    boolean hasLayer = !kind.equals("class");
    int needed = numbers + (hasLayer ? 1 : 0);
    if (parts.length < needed || !hasLayer && parts.length != 1) {
      throw new IllegalArgumentException("objective '" + text + "': " + expected);
    }
    int[] values = new int[numbers];
    for (int i = 0; i < numbers; i++) {
      String part = parts[parts.length - numbers + i];
      try {
        values[i] = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("objective '" + text + "': '" + part + "' is not a whole number; " + expected);
      }
      if (values[i] < 0) throw new IllegalArgumentException("objective '" + text + "': " + part + " is negative");
    }
    if (!hasLayer) return new ClassScore(values[0]);
    String layer = String.join(":", Arrays.copyOfRange(parts, 0, parts.length - numbers));
    if (layer.isEmpty()) throw new IllegalArgumentException("objective '" + text + "': the layer name is missing; " + expected);
    return kind.equals("channel") ? new ChannelMean(layer, values[0]) : new Neuron(layer, values[0], values[1], values[2]);
  }
}
