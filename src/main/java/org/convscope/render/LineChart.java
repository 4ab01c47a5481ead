package org.convscope.render;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Curves over a shared pair of axes, with a legend at the right: deletion and insertion curves with their AUC in
 * the series names, an objective against optimization steps.
 */
public final class LineChart {
  private LineChart() {}

  public static Chart render(List<Series> series, ChartOptions options) {
    if (series.isEmpty()) throw new IllegalArgumentException("a line chart needs at least one series");
    List<double[]> xs = new ArrayList<>();
    List<double[]> ys = new ArrayList<>();
    List<ChartFrame.LegendEntry> legend = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      xs.add(series.get(i).x());
      ys.add(series.get(i).y());
      legend.add(new ChartFrame.LegendEntry(series.get(i).name(), Palette.category(i), true));
    }
    ValueRange x = options.xRange() != null ? options.xRange() : Ticks.around(concat(xs), 0, true);
    ValueRange y = options.yRange() != null ? options.yRange() : Ticks.around(concat(ys), 0, true);
    ChartFrame frame = new ChartFrame(options, x, y, legend);
    PlotArea area = frame.area();
    Graphics2D g = frame.plotGraphics();
    g.setStroke(new BasicStroke(2, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int i = 0; i < series.size(); i++) {
      double[] sx = xs.get(i);
      double[] sy = ys.get(i);
      Path2D.Double path = new Path2D.Double();
      boolean open = false;
      for (int k = 0; k < sx.length; k++) {
        if (!Double.isFinite(sx[k]) || !Double.isFinite(sy[k])) {
          open = false;
          continue;
        }
        double px = area.pixelX(sx[k]);
        double py = area.pixelY(sy[k]);
        if (open) {
          path.lineTo(px, py);
        } else {
          path.moveTo(px, py);
          open = true;
        }
      }
      g.setColor(Palette.category(i));
      g.draw(path);
    }
    g.dispose();
    return frame.finish();
  }

  private static double[] concat(List<double[]> arrays) {
    int n = 0;
    for (double[] a : arrays) n += a.length;
    double[] all = new double[n];
    int at = 0;
    for (double[] a : arrays) {
      System.arraycopy(a, 0, all, at, a.length);
      at += a.length;
    }
    return all;
  }
}
