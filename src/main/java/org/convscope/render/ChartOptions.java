package org.convscope.render;

/**
 * Size, titles and axis ranges of a {@link LineChart} or {@link ScatterPlot}.
 *
 * @param title a line above the chart, or null
 * @param xLabel text under the x axis, or null
 * @param yLabel text beside the y axis, or null
 * @param xRange the x axis range, or null to fit the data
 * @param yRange the y axis range, or null to fit the data (e.g. [0,1] to compare deletion curves)
 */
public record ChartOptions(int width, int height, String title, String xLabel, String yLabel, ValueRange xRange,
    ValueRange yRange) {
  public ChartOptions {
    if (width < 100 || height < 80) throw new IllegalArgumentException("a chart needs at least 100x80 pixels, got " + width + "x" + height);
  }

  /** 640x400, no titles, ranges fitted to the data. */
  public static ChartOptions defaults() {
    return new ChartOptions(640, 400, null, null, null, null, null);
  }

  public ChartOptions withSize(int width, int height) {
    return new ChartOptions(width, height, title, xLabel, yLabel, xRange, yRange);
  }

  public ChartOptions withTitle(String title) {
    return new ChartOptions(width, height, title, xLabel, yLabel, xRange, yRange);
  }

  public ChartOptions withAxisLabels(String xLabel, String yLabel) {
    return new ChartOptions(width, height, title, xLabel, yLabel, xRange, yRange);
  }

  public ChartOptions withXRange(ValueRange xRange) {
    return new ChartOptions(width, height, title, xLabel, yLabel, xRange, yRange);
  }

  public ChartOptions withYRange(ValueRange yRange) {
    return new ChartOptions(width, height, title, xLabel, yLabel, xRange, yRange);
  }
}
