package org.convscope.render;

import java.awt.Color;

/** Colours for categories (classes, curves) that stay the same across charts. */
public final class Palette {
  /** matplotlib's "tab10" colours, the usual first ten. */
  private static final int[] TAB10 = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
      0x7f7f7f, 0xbcbd22, 0x17becf};

  private Palette() {}

  /** The colour of category {@code index}: tab10 for the first ten, then hues a golden angle apart. */
  public static Color category(int index) {
    if (index < 0) throw new IllegalArgumentException("category index must be >= 0, got " + index);
    if (index < TAB10.length) return new Color(TAB10[index]);
    // Golden-angle steps spread any number of hues without repeating; alternate brightness separates neighbours.
    float hue = (float) (((index - TAB10.length) * 0.381966) % 1.0);
    return Color.getHSBColor(hue, 0.65f, index % 2 == 0 ? 0.85f : 0.65f);
  }
}
