package org.convscope.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.convscope.inspect.LayerInfo;
import org.convscope.tensor.AtomicFiles;

/**
 * The explorer's pages as a static site that opens from disk ({@code convscope report --explorer}): a running
 * explorer is asked for each page a reader can reach from /model (every layer, the top units of each layer, the
 * first dataset images, the embedding), after the jobs each page needs have finished; links are rewritten to
 * the files written beside them, explanations and the t-SNE data are put into the pages (a browser does not let
 * a page from disk fetch), and what needs the server (uploads, the class and image choosers) says so.
 */
public final class StaticSite {
  private static final Pattern JOB = Pattern.compile("data-job=\"([0-9a-f]{32})\"");
  private static final Pattern UNIT_LINK = Pattern.compile("href=\"(/layer/[^\"?]+/unit/[0-9]+)\"");
  private static final Pattern FIGURE = Pattern.compile("<figure class=\"method\"[^>]*?data-api=\"([^\"]+)\">(.*?)</figure>", Pattern.DOTALL);
  private static final Pattern FORM = Pattern.compile("<form\\b.*?</form>", Pattern.DOTALL);
  private static final Pattern ATTRIBUTE = Pattern.compile("(href|src)=\"(/[^\"]*)\"");
  private static final Pattern ANCHOR = Pattern.compile("<a href=\"(/[^\"]*)\"([^>]*)>(.*?)</a>", Pattern.DOTALL);
  private static final Pattern TSNE_SRC = Pattern.compile("data-src=\"(/cache/[0-9a-f]{32}\\.json)\"");

  /**
   * What the site holds.
   *
   * @param unitsPerLayer units given a page per layer, those that fire most often first
   * @param images dataset images given a page (the first ones), with every explanation
   */
  public record Options(int unitsPerLayer, int images) {
    public Options {
      if (unitsPerLayer < 0) throw new IllegalArgumentException("units per layer must not be negative, got " + unitsPerLayer);
      if (images < 0) throw new IllegalArgumentException("images must not be negative, got " + images);
    }
  }

  /** Progress messages, one line each. */
  @FunctionalInterface
  public interface Log {
    void line(String message);
  }

  private final Explorer explorer;
  private final Path out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  /** Page paths to write, in order, and the file of each. */
  private final Map<String, String> pages = new LinkedHashMap<>();
  private final Set<String> assets = new TreeSet<>();

  private StaticSite(Explorer explorer, Path out) {
    this.explorer = explorer;
    this.out = out;
  }

  /**
   * Writes the site of a running explorer into {@code out}.
   *
   * @return the site's first page, index.html
   */
  public static Path write(Explorer explorer, Path out, Options options, Log log) throws IOException, InterruptedException {
    Files.createDirectories(out);
    return new StaticSite(explorer, out).run(options, log);
  }

  private Path run(Options options, Log log) throws IOException, InterruptedException {
    Workspace ws = explorer.workspace();
    pages.put("/model", "model.html");
    for (LayerInfo layer : ws.layers()) pages.put(layerPath(layer), file(layerPath(layer)));
    if (ws.hasData()) {
      pages.put("/image", "images.html");
      for (int i = 0; i < Math.min(options.images(), ws.data().size()); i++) pages.put("/image/" + i, "image-" + i + ".html");
      pages.put("/embedding", "embedding.html");
    }
    // The units to include: the layer pages' ranking (or the first units without data).
    for (LayerInfo layer : ws.spatialLayers()) {
      log.line("layer " + Workspace.name(layer));
      String body = settled(layerPath(layer));
      Matcher m = UNIT_LINK.matcher(body);
      int taken = 0;
      while (taken < options.unitsPerLayer() && m.find()) {
        String unit = m.group(1);
        if (!pages.containsKey(unit)) {
          pages.put(unit, file(unit));
          taken++;
        }
      }
    }
    for (Map.Entry<String, String> page : pages.entrySet()) {
      log.line("page " + page.getKey());
      String html = rewrite(page.getKey(), settled(page.getKey()));
      byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(out.resolve(page.getValue()), o -> o.write(bytes));
    }
    byte[] index = Files.readAllBytes(out.resolve("model.html"));
    AtomicFiles.write(out.resolve("index.html"), o -> o.write(index));
    for (String asset : assets) {
      Path file = out.resolve(asset.substring(1));
      Files.createDirectories(file.getParent());
      byte[] bytes = fetch(asset);
      AtomicFiles.write(file, o -> o.write(bytes));
    }
    log.line(String.format("%d pages and %d files written to %s", pages.size() + 1, assets.size(), out));
    return out.resolve("index.html");
  }

  private static String layerPath(LayerInfo layer) {
    return "/layer/" + Pages.url(Workspace.name(layer));
  }

  /** A page's file: its path with the slashes made dashes and nothing a file name should not hold. */
  private static String file(String path) {
    String name = URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8).replace('/', '-');
    return name.replaceAll("[^A-Za-z0-9._-]", "_") + ".html";
  }

  /** A page once the background jobs it shows have finished (explanations are asked for one by one). */
  private String settled(String path) throws IOException, InterruptedException {
    String body = text(path);
    Matcher m = JOB.matcher(body);
    boolean waited = false;
    while (m.find()) {
      if (body.contains("data-method=") && body.contains("data-job=\"" + m.group(1) + "\" data-api=")) continue;
      awaitJob(m.group(1));
      waited = true;
    }
    return waited ? text(path) : body;
  }

  private void awaitJob(String key) throws IOException, InterruptedException {
    while (true) {
      Map<?, ?> status = Analyses.JSON.readValue(text("/api/jobs/" + key), Map.class);
      Object state = status.get("state");
      if ("done".equals(state)) return;
      if ("failed".equals(state) || "cancelled".equals(state)) {
        throw new IOException("the explorer's job " + status.get("title") + " " + state + ": " + status.get("error"));
      }
      Thread.sleep(100);
    }
  }

  private String rewrite(String path, String html) throws IOException, InterruptedException {
    html = explanations(html);
    html = embedding(html);
    html = FORM.matcher(html).replaceAll("<p class=\"static-note\">Choosing another image or class needs <code>convscope serve</code>.</p>");
    html = html.replace("<section><h2>Upload</h2><p class=\"static-note\">Choosing another image or class needs <code>convscope serve</code>.</p></section>",
        "<section><h2>Upload</h2><p class=\"static-note\">Uploading an image needs <code>convscope serve</code>.</p></section>");
    // Links to pages not in the site keep their text and lose the link.
    Matcher a = ANCHOR.matcher(html);
    StringBuilder sb = new StringBuilder();
    while (a.find()) {
      String target = a.group(1).replace("&amp;", "&");
      String keep = pages.containsKey(target) ? a.group() : "<span" + a.group(2) + ">" + a.group(3) + "</span>";
      a.appendReplacement(sb, Matcher.quoteReplacement(keep));
    }
    a.appendTail(sb);
    html = sb.toString();
    // Every remaining link and source becomes a file beside the page.
    Matcher m = ATTRIBUTE.matcher(html);
    sb = new StringBuilder();
    while (m.find()) {
      String target = m.group(2).replace("&amp;", "&");
      String local;
      if (pages.containsKey(target)) {
        local = pages.get(target);
      } else if (target.startsWith("/cache/") || target.startsWith("/static/") || target.startsWith("/thumb/")) {
        assets.add(target);
        local = target.substring(1);
      } else {
        throw new IllegalStateException(path + " links to " + target + ", which the static site does not hold");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + "=\"" + local + "\""));
    }
    m.appendTail(sb);
    // explorer.js learns from the body that it runs from disk: which images have pages, where thumbnails are.
    Set<Integer> images = new TreeSet<>();
    for (String p : pages.keySet()) if (p.matches("/image/[0-9]+")) images.add(Integer.parseInt(p.substring(7)));
    return sb.toString().replace("<body>", "<body data-static=\"1\" data-images=\"" + String.join(",", images.stream().map(String::valueOf).toList()) + "\">");
  }

  /** Each explanation card with its map and scores in place, asked of the API now instead of by the page's script. */
  private String explanations(String html) throws IOException, InterruptedException {
    Matcher m = FIGURE.matcher(html);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String api = m.group(1).replace("&amp;", "&");
      HttpResponse<String> r = get(api);
      String inner = m.group(2).replaceAll(" <button type=\"button\" class=\"cancel\">cancel</button>", "");
      String cls = "method";
      if (r.statusCode() == 200) {
        Map<?, ?> j = Analyses.JSON.readValue(r.body(), Map.class);
        inner = inner.replace("<img class=\"heat\" alt=", "<img class=\"heat\" src=\"" + j.get("heatmap") + "\" alt=")
            .replace("computing…", String.format(java.util.Locale.ROOT, "deletion AUC %.3f, insertion AUC %.3f, %.2f s",
                ((Number) j.get("deletion_auc")).doubleValue(), ((Number) j.get("insertion_auc")).doubleValue(),
                ((Number) j.get("seconds")).doubleValue()));
        cls = "method done";
      } else {
        Map<?, ?> j = Analyses.JSON.readValue(r.body(), Map.class);
        inner = inner.replace("computing…", Pages.esc(String.valueOf(j.get("error"))));
        cls = "method failed";
      }
      m.appendReplacement(sb, Matcher.quoteReplacement("<figure class=\"" + cls + "\">" + inner + "</figure>"));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The t-SNE data inside the page, with the thumbnails of every point and neighbour among the files. */
  private String embedding(String html) throws IOException, InterruptedException {
    Matcher m = TSNE_SRC.matcher(html);
    if (!m.find()) return html;
    String json = text(m.group(1));
    Map<?, ?> data = Analyses.JSON.readValue(json, Map.class);
    Set<Integer> thumbs = new LinkedHashSet<>();
    for (Object o : (List<?>) data.get("points")) {
      Map<?, ?> p = (Map<?, ?>) o;
      thumbs.add(((Number) p.get("i")).intValue());
      for (String kind : new String[] {"features", "pixels"}) {
        for (Object n : (List<?>) p.get(kind)) thumbs.add(((Number) ((Map<?, ?>) n).get("i")).intValue());
      }
    }
    for (int i : thumbs) assets.add("/thumb/" + i + ".png");
    // "</" cannot end the script element early: JSON allows "<\/" for "</".
    String inline = "<script type=\"application/json\" id=\"tsne-data\">" + json.replace("</", "<\\/") + "</script>";
    return html.replace(m.group(), "data-inline=\"tsne-data\"").replace("<div id=\"legend\"></div>", "<div id=\"legend\"></div>" + inline);
  }

  private String text(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) throw new IOException("the explorer answered " + r.statusCode() + " for " + path + ": " + r.body());
    return r.body();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path), HttpResponse.BodyHandlers.ofString());
  }

  private byte[] fetch(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(request(path), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) throw new IOException("the explorer answered " + r.statusCode() + " for " + path);
    return r.body();
  }

  private HttpRequest request(String path) {
    String base = explorer.url();
    return HttpRequest.newBuilder(URI.create(base.substring(0, base.length() - 1) + path)).timeout(Duration.ofMinutes(30)).build();
  }
}
