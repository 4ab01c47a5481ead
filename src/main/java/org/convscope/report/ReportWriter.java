package org.convscope.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.convscope.tensor.AtomicFiles;

/**
 * Writes the report: every section's files, then index.html linking them. A section that fails (say, CAM on a
 * model without a linear head) shows its error and the others go on.
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** Writes the sections and returns the path of index.html. */
  public static Path write(ReportContext context, List<ReportSection> sections, String title, PrintWriter log)
      throws IOException {
    Files.createDirectories(context.dir());
    StringBuilder body = new StringBuilder();
    StringBuilder nav = new StringBuilder();
    int index = 0;
    for (ReportSection section : sections) {
      String id = "s" + (++index);
      long start = System.nanoTime();
      log.printf("  %-28s", section.title());
      log.flush();
      String html;
      try {
        html = section.write(context);
      } catch (RuntimeException | IOException e) {
        html = "<p class=\"error\">This section could not be made: " + Html.escape(String.valueOf(e.getMessage())) + "</p>";
      }
      log.printf(" %6.1f s%n", (System.nanoTime() - start) / 1e9);
      nav.append("<a href=\"#").append(id).append("\">").append(Html.escape(section.title())).append("</a> ");
      body.append("<section id=\"").append(id).append("\"><h2>").append(Html.escape(section.title())).append("</h2>\n")
          .append(html).append("\n</section>\n");
    }
    String page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.escape(title)
        + "</title>\n<style>" + STYLE + "</style></head>\n<body><header><h1>" + Html.escape(title) + "</h1>\n<p>"
        + Html.escape(context.model().source()) + " on " + Html.escape(context.data().name()) + " ("
        + context.data().size() + " images)</p><nav>" + nav + "</nav></header>\n<main>\n" + body + "</main></body></html>\n";
    Path file = context.dir().resolve("index.html");
    AtomicFiles.write(file, out -> out.write(page.getBytes(StandardCharsets.UTF_8)));
    return file;
  }

  private static final String STYLE = String.join("\n",
      "body{font-family:sans-serif;margin:0;color:#222;background:#fafafa}",
      "header{background:#223;color:#eee;padding:12px 24px}header a{color:#9cf;margin-right:12px}",
      "main{padding:0 24px 48px}section{margin-top:28px}h2{border-bottom:1px solid #ccc}",
      "img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd;background:white}",
      "table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}",
      "td.num{text-align:right}.error{color:#b00}.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}",
      "figure{margin:0}figcaption{font-size:13px;color:#555}");
}
