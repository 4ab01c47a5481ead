package org.convscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ColormapTest {
  /** Asserts each channel of {@code actual} is within {@code tolerance} levels of {@code expected}. */
  static void assertColor(int expected, int actual, int tolerance, String what) {
    for (int shift = 0; shift <= 16; shift += 8) {
      int e = expected >> shift & 0xff;
      int a = actual >> shift & 0xff;
      assertTrue(Math.abs(e - a) <= tolerance,
          String.format("%s: expected #%06x, got #%06x", what, expected & 0xffffff, actual & 0xffffff));
    }
  }

  @Test
  void viridisMatchesMatplotlibAtEndsAndMiddle() {
    assertColor(0x440154, Colormap.VIRIDIS.rgb(0), 0, "viridis(0)");
    assertColor(0xfde725, Colormap.VIRIDIS.rgb(1), 0, "viridis(1)");
    // matplotlib's viridis(0.5) is table entry 128, #21918c; viridis(0.25) is entry 64, #3b528b.
    assertColor(0x21918c, Colormap.VIRIDIS.rgb(0.5), 1, "viridis(0.5)");
    assertColor(0x3b528b, Colormap.VIRIDIS.rgb(0.25), 1, "viridis(0.25)");
    // Table entry 100 (#2b748e) lies between two key colours.
    assertColor(0x2b748e, Colormap.VIRIDIS.rgb(100 / 255.0), 2, "viridis(100/255)");
  }

  @Test
  void viridisGetsLighterAllTheWay() {
    double previous = -1;
    for (int i = 0; i <= 50; i++) {
      int c = Colormap.VIRIDIS.rgb(i / 50.0);
      double luminance = 0.2126 * (c >> 16 & 0xff) + 0.7152 * (c >> 8 & 0xff) + 0.0722 * (c & 0xff);
      assertTrue(luminance > previous, "luminance rises at step " + i);
      previous = luminance;
    }
  }

  @Test
  void jetRunsFromDarkBlueThroughCyanAndYellowToDarkRed() {
    assertColor(0x000080, Colormap.JET.rgb(0), 0, "jet(0)");
    assertColor(0x00ffff, Colormap.JET.rgb(0.375), 0, "jet(0.375)");
    assertColor(0x80ff80, Colormap.JET.rgb(0.5), 1, "jet(0.5)");
    assertColor(0xffff00, Colormap.JET.rgb(0.625), 0, "jet(0.625)");
    assertColor(0x800000, Colormap.JET.rgb(1), 0, "jet(1)");
  }

  @Test
  void greyAndDivergingEndsAndMiddles() {
    assertEquals(0x000000, Colormap.GREY.rgb(0));
    assertColor(0x808080, Colormap.GREY.rgb(0.5), 1, "grey(0.5)");
    assertEquals(0xffffff, Colormap.GREY.rgb(1));
    assertEquals(0xffffff, Colormap.DIVERGING.rgb(0.5), "zero on a symmetric scale is white");
    int low = Colormap.DIVERGING.rgb(0);
    int high = Colormap.DIVERGING.rgb(1);
    assertTrue((low & 0xff) > (low >> 16 & 0xff), "the negative end is blue");
    assertTrue((high >> 16 & 0xff) > (high & 0xff), "the positive end is red");
  }

  @Test
  void outOfRangeValuesClampAndNaNIsLow() {
    for (Colormap map : Colormap.values()) {
      assertEquals(map.rgb(0), map.rgb(-3), map + " below 0");
      assertEquals(map.rgb(1), map.rgb(7), map + " above 1");
      assertEquals(map.rgb(0), map.rgb(Double.NaN), map + " NaN");
    }
  }
}
