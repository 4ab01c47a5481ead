package org.convscope.render;

import static org.convscope.render.ColormapTest.assertColor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class HeatmapsTest {
  /** An 8x8 image whose every pixel differs, so blending mistakes show. */
  static BufferedImage gradientImage() {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) image.setRGB(x, y, (x * 30) << 16 | (y * 30) << 8 | 200);
    return image;
  }

  @Test
  void upsamplingAlignsPixelCentres() {
    Tensor map = Tensor.of(new float[] {0, 1, 2, 3}, 2, 2);
    float[] up = Heatmaps.upsample(map, 4, 4);
    assertEquals(0, up[0], 1e-6, "corners keep the corner values");
    assertEquals(3, up[15], 1e-6);
    // Pixel (1,1) samples the map at (0.25, 0.25): 0.75*0.75*0 + 0.75*0.25*1 + 0.25*0.75*2 + 0.25*0.25*3.
    assertEquals(0.75, up[5], 1e-6);
    assertArrayEquals(map.data(), Heatmaps.upsample(map, 2, 2), "same size is the identity");
  }

  @Test
  void alphaZeroIsTheImageAndAlphaOneIsTheColouredMap() {
    BufferedImage image = gradientImage();
    Tensor map = Tensor.of(new float[] {0, 0, 0, 1}, 1, 2, 2);
    BufferedImage none = Heatmaps.overlay(image, map, HeatmapOptions.defaults().withAlpha(0));
    for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) assertEquals(image.getRGB(x, y), none.getRGB(x, y));

    BufferedImage full = Heatmaps.overlay(image, map, HeatmapOptions.defaults().withAlpha(1));
    assertColor(Colormap.VIRIDIS.rgb(0), full.getRGB(0, 0), 0, "low corner");
    assertColor(Colormap.VIRIDIS.rgb(1), full.getRGB(7, 7), 0, "high corner");

    BufferedImage half = Heatmaps.overlay(image, map, HeatmapOptions.defaults().withColormap(Colormap.GREY));
    // image pixel (7,7) is (210, 210, 200); white blended at 0.5
    assertColor(0xe8e8e4, half.getRGB(7, 7), 1, "half blend");
  }

  @Test
  void signedMapsAreWhiteAtZeroAndSymmetric() {
    Tensor map = Tensor.of(new float[] {-2, 0, 1, 2}, 2, 2);
    BufferedImage image = Heatmaps.image(map, HeatmapOptions.signed());
    assertEquals(2, image.getWidth());
    assertColor(Colormap.DIVERGING.rgb(0), image.getRGB(0, 0), 0, "-2 is the blue end");
    assertColor(0xffffff, image.getRGB(1, 0), 0, "0 is white");
    assertColor(Colormap.DIVERGING.rgb(0.75), image.getRGB(0, 1), 0, "1 is three quarters up");
    assertColor(Colormap.DIVERGING.rgb(1), image.getRGB(1, 1), 0, "2 is the red end");
  }

  @Test
  void overlaysImageTensorsGreyOrColour() {
    Tensor grey = Tensor.full(0.5f, 1, 4, 4);
    Tensor map = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 3);
    BufferedImage out = Heatmaps.overlay(grey, map, HeatmapOptions.defaults().withAlpha(0));
    assertColor(0x808080, out.getRGB(2, 2), 0, "grey tensor");

    float[] rgb = new float[3 * 4];
    java.util.Arrays.fill(rgb, 0, 4, 1f); // red plane on, green and blue off
    BufferedImage red = ImageOps.fromTensor(Tensor.of(rgb, 1, 3, 2, 2));
    assertColor(0xff0000, red.getRGB(1, 1), 0, "channel order is R, G, B");
    assertThrows(IllegalArgumentException.class, () -> Heatmaps.image(Tensor.zeros(2, 3, 3), HeatmapOptions.defaults()));
  }

  @Test
  void colourBarRunsFromTheTopValueDownAndLeavesTheImageAlone() {
    Tensor map = Tensor.of(new float[] {-1, 3}, 1, 2);
    BufferedImage plain = Heatmaps.image(map, 40, 60, HeatmapOptions.defaults());
    BufferedImage withBar = Heatmaps.image(map, 40, 60, HeatmapOptions.defaults().withColorBar(true));
    assertEquals(60, withBar.getHeight());
    for (int y = 0; y < 60; y += 7) for (int x = 0; x < 40; x += 3) assertEquals(plain.getRGB(x, y), withBar.getRGB(x, y));
    int barX = 40 + ColorBar.GAP + ColorBar.BAR_WIDTH / 2;
    assertColor(Colormap.VIRIDIS.rgb(1), withBar.getRGB(barX, 0), 0, "bar top");
    assertColor(Colormap.VIRIDIS.rgb(0), withBar.getRGB(barX, 59), 0, "bar bottom");
    assertColor(0xffffff, withBar.getRGB(40 + ColorBar.GAP / 2, 30), 0, "gap");
    assertEquals("3", Drawing.number(3));
    assertEquals("-0.125", Drawing.number(-0.125));
    assertEquals("1.23e-05", Drawing.number(0.0000123));
  }
}
