package org.convscope.render;

import static org.convscope.render.ColormapTest.assertColor;
import static org.convscope.render.GridTest.bounds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {
  @Test
  void ticksFallOnNiceSteps() {
    ValueRange unit = new ValueRange(0, 1);
    assertEquals(0.2, Ticks.step(unit), 1e-12);
    assertEquals(List.of(0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0), Ticks.of(unit));
    assertEquals("0.6", Ticks.label(0.6000000000000001, unit));
    assertEquals("0", Ticks.label(1e-17, unit));
    assertEquals(new ValueRange(0, 100), Ticks.around(new double[] {3, 97, Double.NaN}, 0, true));
    assertEquals(new ValueRange(-0.5, 10.5), Ticks.around(new double[] {0, 10}, 0.05, false));
    assertEquals("250", Ticks.label(250, new ValueRange(0, 1000)));
  }

  @Test
  void scatterPutsEachClassColourAtItsPoint() {
    double[] x = {0, 10, 5, -3};
    double[] y = {0, 2, 8, 5};
    int[] classes = {0, 1, 2, 1};
    Chart chart = ScatterPlot.render(x, y, classes, List.of("cat", "dog", "bird"), ChartOptions.defaults());
    BufferedImage image = chart.image();
    assertEquals(640, image.getWidth());
    assertEquals(400, image.getHeight());
    for (int i = 0; i < x.length; i++) {
      int px = (int) Math.floor(chart.area().pixelX(x[i]));
      int py = (int) Math.floor(chart.area().pixelY(y[i]));
      assertColor(Palette.category(classes[i]).getRGB(), image.getRGB(px, py), 0, "point " + i);
    }
    // The legend, right of the plot, shows each class's colour.
    for (int c = 0; c < 3; c++) {
      int rgb = Palette.category(c).getRGB() & 0xffffff;
      int legendPixels = 0;
      for (int py = 0; py < image.getHeight(); py++) {
        for (int px = chart.area().left() + chart.area().width() + 1; px < image.getWidth(); px++) {
          if ((image.getRGB(px, py) & 0xffffff) == rgb) legendPixels++;
        }
      }
      assertTrue(legendPixels > 10, "legend dot of class " + c);
    }
    assertThrows(IllegalArgumentException.class, () -> ScatterPlot.render(x, y, new int[] {0, 1, 3, 0}, List.of("a", "b", "c"), ChartOptions.defaults()));
  }

  @Test
  void thumbnailsSitOnTheirPointsFramedInTheClassColour() {
    BufferedImage magenta = FigureTest.filled(8, 8, 0xff00ff);
    double[] x = {0, 1};
    double[] y = {0, 1};
    Chart chart = ScatterPlot.render(x, y, new int[] {0, 1}, null, Arrays.asList(null, magenta), ChartOptions.defaults());
    int px = (int) Math.round(chart.area().pixelX(1));
    int py = (int) Math.round(chart.area().pixelY(1));
    assertColor(0xff00ff, chart.image().getRGB(px, py), 0, "thumbnail centre");
    int[] box = bounds(chart.image(), 0xff00ff);
    assertEquals(ScatterPlot.THUMBNAIL_SIZE, box[2] - box[0] + 1, "an 8-pixel thumbnail grows 4x to 32");
    assertColor(Palette.category(1).getRGB(), chart.image().getRGB(box[0] - 1, py), 0, "frame in class 1's colour");
  }

  @Test
  void lineChartDrawsEachSeriesThroughItsPoints() {
    double[] x = {0, 0.5, 1};
    List<Series> series = List.of(new Series("deletion (AUC 0.25)", x, new double[] {0.25, 0.25, 0.25}),
        new Series("insertion (AUC 0.75)", x, new double[] {0.75, 0.75, 0.75}));
    Chart chart = LineChart.render(series, ChartOptions.defaults().withYRange(new ValueRange(0, 1)).withTitle("curves")
        .withAxisLabels("fraction of pixels", "probability"));
    PlotArea area = chart.area();
    int column = (int) Math.round(area.pixelX(0.5));
    for (int s = 0; s < 2; s++) {
      double level = s == 0 ? 0.25 : 0.75;
      int row = (int) Math.floor(area.pixelY(level));
      int rgb = Palette.category(s).getRGB() & 0xffffff;
      boolean found = false;
      for (int dy = -1; dy <= 1; dy++) found |= (chart.image().getRGB(column, row + dy) & 0xffffff) == rgb;
      assertTrue(found, "series " + s + " crosses the middle at y = " + level);
    }
    assertColor(0xffffff, chart.image().getRGB(column + 7, (int) area.pixelY(0.5) + 5), 0, "empty plot area");
    assertArrayEquals(new double[] {0, 1, 2}, Series.of("loss", new double[] {3, 2, 1}).x(), "steps count from 0");
    assertEquals(0.0, area.y().min());
    assertEquals(1.0, area.y().max());
  }

  @Test
  void confusionMatrixColoursCellsByTheirShareOfTheRow() {
    int[][] counts = {{8, 2}, {0, 10}};
    BufferedImage image = ConfusionMatrixPlot.render(counts, List.of("cat", "dog"), "test set");
    int[] full = bounds(image, Colormap.VIRIDIS.rgb(1));
    int cell = full[2] - full[0] + 1;
    assertEquals(ConfusionMatrixPlot.cellSize(2), cell, "the (dog, dog) cell is the only one fully correct");
    assertEquals(cell, full[3] - full[1] + 1);
    int left = full[0] - cell;
    int top = full[1] - cell;
    assertColor(Colormap.VIRIDIS.rgb(0.8), image.getRGB(left + 2, top + 2), 0, "8 of 10 cats right");
    assertColor(Colormap.VIRIDIS.rgb(0.2), image.getRGB(left + cell + 2, top + 2), 0, "2 of 10 cats called dogs");
    assertColor(Colormap.VIRIDIS.rgb(0), image.getRGB(left + 2, top + cell + 2), 0, "no dog called a cat");
    assertThrows(IllegalArgumentException.class, () -> ConfusionMatrixPlot.render(new int[][] {{1}}, List.of("a", "b"), null));
  }

  @Test
  void manyClassesShrinkToSmallCellsWithoutNames() {
    int n = 250;
    int[][] counts = new int[n][n];
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      counts[i][i] = 3;
      names.add("class number " + i);
    }
    BufferedImage image = ConfusionMatrixPlot.render(counts, names, null);
    assertEquals(2, ConfusionMatrixPlot.cellSize(n));
    assertTrue(image.getWidth() < 2 * n + 100, "no room taken by unreadable names: " + image.getWidth());
    int[] diagonal = bounds(image, Colormap.VIRIDIS.rgb(1));
    assertEquals(2 * n, diagonal[2] - diagonal[0] + 1, "the diagonal spans the matrix");
  }
}
