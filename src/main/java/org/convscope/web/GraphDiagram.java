package org.convscope.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.model.Model;

/**
 * The network drawn as a layered diagram in SVG, server-side: each node sits in the row of its longest path
 * from the input, so a chain reads top to bottom and the branches of a residual block sit side by side. Each
 * box links to its layer's page.
 */
final class GraphDiagram {
  static final int BOX_WIDTH = 168;
  static final int BOX_HEIGHT = 30;
  static final int GAP_X = 16;
  static final int GAP_Y = 18;

  private GraphDiagram() {}

  /** A box: the node, its row (depth) and column within the row. */
  record Box(Node node, String name, int row, int column) {
    int x() {
      return GAP_X + column * (BOX_WIDTH + GAP_X);
    }

    int y() {
      return GAP_Y + row * (BOX_HEIGHT + GAP_Y);
    }
  }

  /** The boxes of every node, rows by longest path from the graph's inputs. */
  static List<Box> layout(Model model) {
    Graph graph = model.graph();
    Map<Node, Integer> depth = new HashMap<>();
    Map<Integer, Integer> columns = new HashMap<>();
    List<Box> boxes = new ArrayList<>();
    // Nodes come in execution order, so every producer has its depth before its consumers ask for it.
    for (Node node : graph.nodes()) {
      int d = 0;
      for (String input : node.inputs()) {
        Node producer = input.isEmpty() ? null : graph.producer(input);
        if (producer != null && depth.containsKey(producer)) d = Math.max(d, depth.get(producer) + 1);
      }
      depth.put(node, d);
      int column = columns.merge(d, 1, Integer::sum) - 1;
      String module = model.layers().modulePath(node);
      boxes.add(new Box(node, module != null ? module : node.name(), d, column));
    }
    return boxes;
  }

  static String svg(Model model) {
    List<Box> boxes = layout(model);
    Map<Node, Box> byNode = new HashMap<>();
    int rows = 0;
    int columns = 0;
    for (Box b : boxes) {
      byNode.put(b.node(), b);
      rows = Math.max(rows, b.row() + 1);
      columns = Math.max(columns, b.column() + 1);
    }
    int width = GAP_X + columns * (BOX_WIDTH + GAP_X);
    int height = GAP_Y + rows * (BOX_HEIGHT + GAP_Y);
    StringBuilder sb = new StringBuilder();
    sb.append("<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
        .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">");
    Graph graph = model.graph();
    for (Box b : boxes) {
      for (String input : b.node().inputs()) {
        Node producer = input.isEmpty() ? null : graph.producer(input);
        Box from = producer == null ? null : byNode.get(producer);
        if (from == null) continue;
        sb.append("<line x1=\"").append(from.x() + BOX_WIDTH / 2).append("\" y1=\"").append(from.y() + BOX_HEIGHT)
            .append("\" x2=\"").append(b.x() + BOX_WIDTH / 2).append("\" y2=\"").append(b.y()).append("\"/>");
      }
    }
    for (Box b : boxes) {
      String label = b.name().length() > 22 ? "…" + b.name().substring(b.name().length() - 21) : b.name();
      sb.append("<a href=\"/layer/").append(Pages.esc(Pages.url(b.name()))).append("\" class=\"node\" data-layer=\"")
          .append(Pages.esc(b.name())).append("\"><title>").append(Pages.esc(b.name() + " (" + b.node().opType() + ")"))
          .append("</title><rect x=\"").append(b.x()).append("\" y=\"").append(b.y()).append("\" width=\"").append(BOX_WIDTH)
          .append("\" height=\"").append(BOX_HEIGHT).append("\" rx=\"4\" class=\"op-").append(Pages.esc(b.node().opType()))
          .append("\"/><text x=\"").append(b.x() + 6).append("\" y=\"").append(b.y() + 13).append("\">").append(Pages.esc(label))
          .append("</text><text class=\"op\" x=\"").append(b.x() + 6).append("\" y=\"").append(b.y() + 25).append("\">")
          .append(Pages.esc(b.node().opType())).append("</text></a>");
    }
    return sb.append("</svg>").toString();
  }
}
