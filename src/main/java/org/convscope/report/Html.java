package org.convscope.report;

/** Small helpers for writing HTML by hand. */
public final class Html {
  private Html() {}

  public static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** An image with alt text, scaled to fit the page. */
  public static String img(String src, String alt) {
    return "<img src=\"" + escape(src) + "\" alt=\"" + escape(alt) + "\">";
  }

  public static String link(String href, String text) {
    return "<a href=\"" + escape(href) + "\">" + escape(text) + "</a>";
  }

  public static String p(String text) {
    return "<p>" + escape(text) + "</p>";
  }
}
