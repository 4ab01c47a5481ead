package org.convscope.cli;

import java.util.ArrayList;
import java.util.List;

/** Parses index lists such as {@code 0-15}, {@code 3,5,9} or {@code all}. */
final class Ranges {
  private Ranges() {}

  static int[] parse(String text, int count, String option) {
    if (text.equals("all")) {
      int[] all = new int[count];
      for (int i = 0; i < count; i++) all[i] = i;
      return all;
    }
    List<Integer> out = new ArrayList<>();
    try {
      for (String part : text.split(",")) {
        String p = part.trim();
        int dash = p.indexOf('-', 1);
        int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
        if (from < 0 || to >= count || from > to) {
          throw new UserException(option + " " + text + " is out of range: valid indices are 0 to " + (count - 1));
        }
        for (int i = from; i <= to; i++) out.add(i);
      }
    } catch (NumberFormatException e) {
      throw new UserException(option + " '" + text + "' should look like 0-15, 3,5,9 or all");
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
