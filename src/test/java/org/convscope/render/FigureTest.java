package org.convscope.render;

import static org.convscope.render.GridTest.bounds;
import static org.convscope.render.GridTest.darkPixels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class FigureTest {
  static BufferedImage filled(int width, int height, int rgb) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.setRGB(x, y, rgb);
    return image;
  }

  @Test
  void imagesSitSideBySideUnderTheirCaptions() {
    List<Figure.Column> columns = List.of(
        Figure.Column.of(filled(20, 20, 0xff0000), "input"),
        Figure.Column.of(filled(20, 20, 0x0000ff), "Grad-CAM", "tabby 0.87"));
    BufferedImage figure = Figure.render("ResNet-18, image 3", columns, 40);
    int[] red = bounds(figure, 0xff0000);
    int[] blue = bounds(figure, 0x0000ff);
    assertEquals(40, red[2] - red[0] + 1, "20-pixel images double to 40");
    assertEquals(40, red[3] - red[1] + 1);
    assertEquals(40, blue[2] - blue[0] + 1);
    assertEquals(red[1], blue[1], "tops are aligned");
    assertTrue(blue[0] > red[2], "the map is right of the input");
    assertTrue(darkPixels(figure, blue[0] - 10, 0, figure.getWidth(), blue[1]) > 20, "title and captions above the images");
    assertTrue(figure.getHeight() > 40 + 3 * Drawing.lineHeight(Drawing.font(12)), "room for a title and two caption lines");
  }

  @Test
  void ownSizesWithoutTitle() {
    BufferedImage figure = Figure.render(null, List.of(Figure.Column.of(filled(30, 10, 0x00ff00))));
    int[] green = bounds(figure, 0x00ff00);
    assertEquals(30, green[2] - green[0] + 1);
    assertEquals(10, green[3] - green[1] + 1);
    assertEquals(10 + 2 * 8, figure.getHeight(), "just the image and margins");
  }
}
