package org.convscope.inspect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/** Every channel's activation map at one layer for one input. */
public final class Activations {
  private Activations() {}

  /**
   * @param maps [channels, h, w] for the first image of the batch
   * @param channels the channel index of each map (all, or the strongest first when sorted)
   * @param means each listed channel's mean activation
   */
  public record Result(String layer, String tensor, Tensor maps, int[] channels, float[] means) {}

  /**
   * @param top keep only the {@code top} channels by mean activation, strongest first; 0 keeps every channel in order
   */
  public static Result of(Model model, Tensor input, String layer, int top) {
    String tensor = model.resolveLayer(layer);
    Tensor out = model.network().forward(Map.of(model.input(), input), ForwardOptions.keeping(tensor)).get(tensor);
    if (out.rank() != 4) {
      throw new InvalidInputException("layer '" + layer + "' outputs shape " + java.util.Arrays.toString(out.shape())
          + "; activation maps need a [N,C,H,W] layer");
    }
    int c = out.dim(1);
    int plane = out.dim(2) * out.dim(3);
    float[] d = out.data();
    float[] means = new float[c];
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int i = 0; i < plane; i++) s += d[ch * plane + i];
      means[ch] = (float) (s / plane);
    }
    List<Integer> order = new ArrayList<>();
    for (int ch = 0; ch < c; ch++) order.add(ch);
    if (top > 0) {
      order.sort(Comparator.comparingDouble((Integer ch) -> -means[ch]).thenComparingInt(ch -> ch));
      order = order.subList(0, Math.min(top, c));
    }
    float[] maps = new float[order.size() * plane];
    int[] channels = new int[order.size()];
    float[] kept = new float[order.size()];
    for (int i = 0; i < order.size(); i++) {
      int ch = order.get(i);
      System.arraycopy(d, ch * plane, maps, i * plane, plane);
      channels[i] = ch;
      kept[i] = means[ch];
    }
    return new Result(layer, tensor, Tensor.of(maps, order.size(), out.dim(2), out.dim(3)), channels, kept);
  }
}
