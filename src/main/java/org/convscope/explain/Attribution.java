package org.convscope.explain;

import java.util.Map;
import org.convscope.input.Bilinear;
import org.convscope.tensor.Tensor;

/**
 * One method's explanation of a query.
 *
 * @param method the method's registry name
 * @param kind the map's form: input-shaped, layer-resolution or per input pixel
 * @param map the raw map; its shape follows {@code kind}
 * @param diagnostics numbers a method reports about itself, one value per batch item, such as integrated
 *     gradients' {@code completeness_delta}; empty for most methods
 */
public record Attribution(String method, MapKind kind, Tensor map, Map<String, double[]> diagnostics) {
  public Attribution {
    diagnostics = Map.copyOf(diagnostics);
  }

  public Attribution(String method, MapKind kind, Tensor map) {
    this(method, kind, map, Map.of());
  }

  /**
   * The map as one value per input pixel, shape (N,height,width): input-shaped maps summed over channels (so
   * evidence against the class stays negative), layer maps upsampled bilinearly, pixel maps as they are.
   */
  public Tensor pixelMap(int height, int width) {
    int[] s = map.shape();
    int n = s[0];
    switch (kind) {
      case INPUT -> {
        int c = s[1];
        int plane = s[2] * s[3];
        float[] in = map.data();
        float[] out = new float[n * plane];
        for (int i = 0; i < n; i++) {
          for (int ch = 0; ch < c; ch++) {
            int from = (i * c + ch) * plane;
            for (int p = 0; p < plane; p++) out[i * plane + p] += in[from + p];
          }
        }
        return Tensor.of(out, n, s[2], s[3]);
      }
      case LAYER -> {
        return Tensor.of(Bilinear.resize(map.data(), n, s[1], s[2], height, width), n, height, width);
      }
      default -> {
        return map;
      }
    }
  }
}
