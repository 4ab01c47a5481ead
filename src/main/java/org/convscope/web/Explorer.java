package org.convscope.web;

import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.convscope.engine.InvalidInputException;
import org.convscope.explain.Explainers;
import org.convscope.inspect.LayerInfo;
import org.convscope.model.Model;
import org.convscope.render.ImageOps;
import org.convscope.render.PngFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web explorer: a Javalin server over one {@link Workspace}. Pages are rendered on the server; the
 * explorer's own script (no library, nothing from the internet) polls background jobs, fills in explanations
 * and draws the t-SNE map. Files are served only from the static resources by name and from the cache by key.
 */
public final class Explorer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Explorer.class);
  /** The static files, by the only names under which they are served. */
  private static final Map<String, String> STATIC = Map.of(
      "explorer.js", "text/javascript; charset=utf-8",
      "explorer.css", "text/css; charset=utf-8");
  private static final String PROBLEM = "convscope.problem";

  private final Workspace ws;
  private final ExplorerOptions options;
  private final ResultCache cache;
  private final Analyses analyses;
  private final EmbeddingView embedding;
  private final Javalin app;

  private Explorer(Workspace ws, ExplorerOptions options, ResultCache cache) {
    this.ws = ws;
    this.options = options;
    this.cache = cache;
    this.analyses = new Analyses(ws, cache, options);
    this.embedding = new EmbeddingView(ws, cache, options);
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      // Room for the multipart framing around an upload of the largest allowed size.
      config.http.maxRequestSize = options.uploadLimit() + (1 << 16);
      config.jetty.multipartConfig.maxFileSize(options.uploadLimit(), SizeUnit.BYTES);
      config.jetty.multipartConfig.maxTotalRequestSize(options.uploadLimit() + (1 << 16), SizeUnit.BYTES);
      routes(config.routes);
    });
  }

  /**
   * Starts the explorer over the workspace; results are cached in a folder of {@code options.cache()} named after
   * the model's hash.
   */
  public static Explorer start(Workspace ws, ExplorerOptions options) throws IOException {
    ResultCache cache = new ResultCache(options.cache().resolve(ws.modelHash().substring(0, 16)), options.workers());
    Explorer explorer = new Explorer(ws, options, cache);
    try {
      explorer.app.start(options.host(), options.port());
    } catch (RuntimeException e) {
      cache.close();
      throw e;
    }
    return explorer;
  }

  /** Opens a model file and starts the explorer over it; uploads are kept beside the cached results. */
  public static Explorer start(Path modelFile, org.convscope.data.Dataset data, ExplorerOptions options) throws IOException {
    Model model = Model.load(modelFile);
    Workspace ws = new Workspace(modelFile, model, data, options.cache().resolve("uploads"));
    return start(ws, options);
  }

  public int port() {
    return app.port();
  }

  /** The explorer's address, e.g. http://127.0.0.1:8080/ */
  public String url() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return "http://" + host + ":" + port() + "/";
  }

  public ResultCache cache() {
    return cache;
  }

  public Workspace workspace() {
    return ws;
  }

  @Override
  public void close() {
    cache.close();
    app.stop();
  }

  private void routes(io.javalin.config.RoutesConfig r) {
    r.before(ctx -> {
      ctx.header("X-Content-Type-Options", "nosniff");
      // Nothing from anywhere else: the pages work offline and cannot be made to load foreign scripts.
      ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'");
    });
    r.get("/", ctx -> ctx.redirect("/model"));
    r.get("/model", ctx -> ctx.html(ModelPage.render(ws)));
    r.get("/layer/{name}", ctx -> {
      LayerInfo layer = ws.layer(ctx.pathParam("name"));
      Workspace.ImageRef image = ws.imageFromQuery(ctx.queryParam("image"), ctx.queryParam("upload"));
      if (image == null && ws.hasData() && layer.shape().length == 4) image = Workspace.ImageRef.dataset(0);
      ctx.html(LayerPage.render(ws, analyses, layer, image));
    });
    r.get("/layer/{name}/unit/{unit}", ctx -> {
      LayerInfo layer = ws.layer(ctx.pathParam("name"));
      ctx.html(UnitPage.render(ws, analyses, layer, unit(layer, ctx.pathParam("unit"))));
    });
    r.get("/image", ctx -> ctx.html(ImagePage.picker(ws, options.uploadLimit())));
    r.get("/image/go", ctx -> ctx.redirect(ws.datasetImage(String.valueOf(ctx.queryParam("index"))).path()));
    r.get("/image/upload/{hash}", ctx -> imagePage(ctx, ws.uploadedImage(ctx.pathParam("hash"))));
    r.get("/image/{index}", ctx -> imagePage(ctx, ws.datasetImage(ctx.pathParam("index"))));
    r.post("/image/upload", this::upload);
    r.get("/thumb/{file}", this::thumbnail);
    r.get("/embedding", ctx -> ctx.html(embedding.page()));
    r.get("/api/explain", this::explain);
    r.get("/api/jobs/{key}", ctx -> json(ctx, job(ctx).status()));
    r.post("/api/jobs/{key}/cancel", ctx -> {
      Job job = job(ctx);
      job.cancel();
      json(ctx, job.status());
    });
    r.get("/cache/{file}", ctx -> {
      Path file = cache.file(ctx.pathParam("file"));
      if (file == null) throw HttpProblem.notFound("no cached result '" + ctx.pathParam("file") + "'");
      ctx.contentType(file.toString().endsWith(".png") ? "image/png" : "application/json");
      ctx.header("Cache-Control", "private, max-age=86400");
      ctx.result(Files.readAllBytes(file));
    });
    r.get("/static/{file}", ctx -> {
      String name = ctx.pathParam("file");
      String type = STATIC.get(name);
      InputStream in = type == null ? null : Explorer.class.getResourceAsStream("static/" + name);
      if (in == null) throw HttpProblem.notFound("no static file '" + name + "'");
      try (in) {
        ctx.contentType(type).result(in.readAllBytes());
      }
    });

    r.exception(HttpProblem.class, (e, ctx) -> problem(ctx, e.status(), e.getMessage()));
    r.exception(InvalidInputException.class, (e, ctx) -> problem(ctx, 400, Pages.oneLine(e)));
    r.exception(IllegalArgumentException.class, (e, ctx) -> problem(ctx, 400, Pages.oneLine(e)));
    r.exception(TimeoutException.class, (e, ctx) -> problem(ctx, 503, "the result is still being computed; reload the page later"));
    r.exception(Exception.class, (e, ctx) -> {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      problem(ctx, 500, "internal error: " + Pages.oneLine(e));
    });
    r.error(404, ctx -> {
      if (ctx.attribute(PROBLEM) == null) problem(ctx, 404, "no page at " + ctx.path() + "; start from /model");
    });
  }

  /** An error as a page (or as JSON under /api): the status and one line, never a stack trace. */
  private static void problem(Context ctx, int status, String message) {
    ctx.attribute(PROBLEM, message);
    ctx.status(status);
    if (ctx.path().startsWith("/api/")) {
      ctx.contentType("application/json").result(jsonText(Map.of("error", message, "status", status)));
    } else {
      ctx.html(Pages.error(status, message));
    }
  }

  private static int unit(LayerInfo layer, String text) {
    if (layer.shape().length != 4) {
      throw HttpProblem.notFound("layer '" + Workspace.name(layer) + "' has no units: its output is not a [N,C,H,W] map");
    }
    int channels = layer.shape()[1];
    try {
      int c = Integer.parseInt(text);
      if (c >= 0 && c < channels) return c;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw HttpProblem.notFound("layer '" + Workspace.name(layer) + "' has no unit '" + text + "': its units are 0 to " + (channels - 1));
  }

  private void imagePage(Context ctx, Workspace.ImageRef image) throws Exception {
    Integer target = ctx.queryParam("class") == null || ctx.queryParam("class").isEmpty() ? null : number(ctx.queryParam("class"), "class");
    ctx.html(ImagePage.render(ws, analyses, image, target, camLayer(ctx.queryParam("layer"))));
  }

  /** The CAM layer of a query: null (automatic) when absent, else a layer with a spatial map. */
  private LayerInfo camLayer(String name) {
    if (name == null || name.isEmpty()) return null;
    LayerInfo layer = ws.layer(name);
    if (layer.shape().length != 4) throw HttpProblem.badRequest("layer '" + name + "' has no spatial map for the CAM methods");
    return layer;
  }

  private static int number(String text, String what) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw HttpProblem.badRequest(what + " '" + text + "' is not a number");
    }
  }

  private void explain(Context ctx) throws Exception {
    Workspace.ImageRef image = ws.imageFromQuery(ctx.queryParam("image"), ctx.queryParam("upload"));
    if (image == null) throw HttpProblem.badRequest("give the image: image=INDEX or upload=HASH");
    String method = ctx.queryParam("method");
    if (method == null || !Explainers.names().contains(method)) {
      throw HttpProblem.notFound("unknown method '" + method + "'; known methods: " + String.join(", ", Explainers.names()));
    }
    String k = ctx.queryParam("class");
    if (k == null) throw HttpProblem.badRequest("give the class to explain: class=K");
    int target = number(k, "class");
    ImagePage.checkClass(target, ws.model().classNames().isEmpty() ? Integer.MAX_VALUE : ws.model().classNames().size());
    String key = analyses.explanation(image, method, target, camLayer(ctx.queryParam("layer")));
    ctx.contentType("application/json").result(cache.read(key, "json"));
  }

  private void upload(Context ctx) throws IOException {
    if (ctx.contentLength() > options.uploadLimit() + (1 << 16)) throw tooLarge();
    UploadedFile file;
    try {
      file = ctx.uploadedFile("image");
    } catch (Exception e) {
      // Jetty refuses a part over the limit while parsing, whatever the request claimed beforehand.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (String.valueOf(t.getMessage()).contains("size exceeded")) throw tooLarge();
      }
      throw HttpProblem.badRequest("the upload is not a multipart form with the field 'image' (" + Pages.oneLine(e) + ")");
    }
    if (file == null) throw HttpProblem.badRequest("no file in the upload: send it as the form field 'image'");
    if (file.size() > options.uploadLimit()) throw tooLarge();
    byte[] bytes;
    try (InputStream in = file.content()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.uploadLimit() + 1));
    }
    if (bytes.length > options.uploadLimit()) throw tooLarge();
    ctx.redirect(ws.upload(bytes).path(), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private HttpProblem tooLarge() {
    return new HttpProblem(413, String.format("the upload is larger than the limit of %,d bytes", options.uploadLimit()));
  }

  private void thumbnail(Context ctx) throws IOException {
    String file = ctx.pathParam("file");
    if (!file.endsWith(".png")) throw HttpProblem.notFound("no thumbnail '" + file + "'");
    Workspace.ImageRef image = ws.datasetImage(file.substring(0, file.length() - 4));
    java.awt.image.BufferedImage picture = ws.display(image);
    int factor = Math.max(1, 64 / Math.max(picture.getWidth(), picture.getHeight()));
    ctx.contentType("image/png").header("Cache-Control", "private, max-age=86400")
        .result(PngFiles.encode(factor > 1 ? ImageOps.upscale(picture, factor) : picture));
  }

  private Job job(Context ctx) {
    Job job = cache.job(ctx.pathParam("key"));
    if (job == null) throw HttpProblem.notFound("no job '" + ctx.pathParam("key") + "'");
    return job;
  }

  private static void json(Context ctx, Object value) {
    ctx.contentType("application/json").result(jsonText(value));
  }

  private static String jsonText(Object value) {
    try {
      return Analyses.JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
