package org.convscope.engine;

import java.util.Arrays;
import org.convscope.tensor.DType;

/**
 * A graph input or output as declared in the file: its type and dimensions, with -1 (and a symbolic name,
 * if any) for dimensions left free, such as the batch.
 */
public record ValueInfo(String name, DType type, int[] dims, String[] dimNames) {

  public ValueInfo {
    dims = dims == null ? null : dims.clone();
    dimNames = dimNames == null ? null : dimNames.clone();
  }

  public boolean hasShape() {
    return dims != null;
  }

  /** The declared shape as text, with free dimensions shown by name or as N. */
  public String describeShape() {
    if (dims == null) return "(any shape)";
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) sb.append(',');
      if (dims[i] >= 0) sb.append(dims[i]);
      else sb.append(dimNames != null && dimNames[i] != null && !dimNames[i].isEmpty() ? dimNames[i] : "N");
    }
    return sb.append(']').toString();
  }

  @Override
  public String toString() {
    return name + describeShape() + (dims == null ? "" : " " + Arrays.toString(dims));
  }
}
