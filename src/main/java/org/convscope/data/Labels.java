package org.convscope.data;

import java.util.ArrayList;
import java.util.List;
import org.convscope.tensor.FileFormatException;

/** Label checks shared by the dataset readers. */
final class Labels {
  private Labels() {}

  /** Names "0", "1", ... up to the largest label, for datasets that store no class names. */
  static List<String> numbered(int[] labels) {
    int max = -1;
    for (int label : labels) max = Math.max(max, label);
    List<String> names = new ArrayList<>();
    for (int k = 0; k <= max; k++) names.add(Integer.toString(k));
    return List.copyOf(names);
  }

  /** Checks that every label is -1 (none) or indexes {@code names}. */
  static void check(int[] labels, List<String> names, String source) throws FileFormatException {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < -1 || labels[i] >= names.size()) {
        throw new FileFormatException(source, "label " + labels[i] + " of example " + i + " is not a class index; expected 0 to "
            + (names.size() - 1) + " (" + names.size() + " classes)");
      }
    }
  }
}
