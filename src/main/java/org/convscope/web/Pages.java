package org.convscope.web;

import org.convscope.report.Html;

/** The frame every page shares (title, navigation, the explorer's own script and style) and small HTML helpers. */
final class Pages {
  private Pages() {}

  /** A whole page: {@code body} is HTML, {@code title} plain text. */
  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + " · ConvScope</title>"
        + "<link rel=\"stylesheet\" href=\"/static/explorer.css\"><script src=\"/static/explorer.js\" defer></script></head>"
        + "<body><nav><a class=\"brand\" href=\"/model\">ConvScope</a> <a href=\"/model\">model</a> <a href=\"/image\">images</a>"
        + " <a href=\"/embedding\">embedding</a></nav><main><h1>" + esc(title) + "</h1>\n" + body + "\n</main></body></html>\n";
  }

  /** The page for an error the user caused or asked for: a status and one line saying what was wrong. */
  static String error(int status, String message) {
    String title = switch (status) {
      case 404 -> "Not found";
      case 413 -> "Upload too large";
      case 415 -> "Not an image";
      case 500 -> "Internal error";
      default -> "Bad request";
    };
    return page(title, "<p class=\"error\">" + esc(message) + "</p><p><a href=\"/model\">back to the model</a></p>");
  }

  /**
   * A panel that follows a background job: a progress bar and a cancel button, reloading the page when the job
   * is done (explorer.js polls /api/jobs/KEY).
   */
  static String jobPanel(Job job) {
    return "<div class=\"job\" data-job=\"" + job.key() + "\"><span class=\"job-title\">" + esc(job.title())
        + "</span> <progress max=\"1\" value=\"0\"></progress> <span class=\"job-stage\">queued</span>"
        + " <button type=\"button\" class=\"cancel\">cancel</button></div>";
  }

  static String esc(String s) {
    return Html.escape(s == null ? "" : s);
  }

  /** A URL path segment or query value, percent-encoded. */
  static String url(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An exception as one line: its message, or its type when it has none. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replaceAll("\\s*\\R\\s*", " ");
  }
}
