package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Explainers;
import org.convscope.explain.Query;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.model.Predictions;
import org.convscope.render.ImageOps;
import org.convscope.tensor.Tensor;
import org.convscope.units.FiringRates;
import org.convscope.units.InputSpace;
import org.convscope.units.PassListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The explorer over HTTP: every page with its real values, the error paths, traversal, uploads and the cache. */
class ExplorerServerTest {
  private static ExplorerFixture server;
  private static Model model;

  @BeforeAll
  static void start() throws Exception {
    server = new ExplorerFixture();
    model = server.explorer.workspace().model();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Dataset images normalized as the model's metadata says, computed here rather than by the explorer. */
  private static Tensor modelInput(int index) throws Exception {
    return new InputSpace(ModelPreprocessing.of(model)).toModel(server.data.batch(new int[] {index}).images());
  }

  @Test
  void modelPageListsEveryLayerWithItsParametersAndTheGraph() throws Exception {
    String body = server.page("/model");
    List<LayerInfo> layers = ModelSummary.layers(model.network(), new int[] {1, 1, 28, 28});
    assertEquals(20, layers.size());
    for (LayerInfo l : layers) {
      String row = "<a href=\"/layer/" + l.module() + "\">" + l.module() + "</a></td><td>" + l.op() + "</td>";
      assertTrue(body.contains(row), "row of " + l.module());
      assertTrue(body.contains("data-layer=\"" + l.module() + "\""), "graph box of " + l.module());
    }
    // Parameter counts of the demo, by hand: 32*1*3*3 = 288, 32*32*3*3 = 9,216, 64*32*9 = 18,432, 128*10 + 10 = 1,290.
    for (String count : new String[] {">288<", ">9,216<", ">18,432<", ">36,864<", ">73,728<", ">1,290<"}) {
      assertTrue(body.contains("<td class=\"num\">" + count.substring(1)), count);
    }
    assertTrue(body.contains("141,098 parameters"));
    assertTrue(body.contains("size 24, jump 4, start -10"), "stage3's receptive field");
    assertTrue(body.contains("<svg class=\"graph\""));
  }

  @Test
  void layerPageShowsFiltersActivationsAndUnitsRankedByFiringRate() throws Exception {
    String body = server.pageAfterJobs("/layer/stage1.conv1?image=3");
    BufferedImage filters = image(src(body, "filters"));
    assertTrue(filters.getWidth() > 50 && filters.getHeight() > 20, "filters figure " + filters.getWidth() + "x" + filters.getHeight());
    assertTrue(nonBlank(filters));
    BufferedImage acts = image(src(body, "activations"));
    assertTrue(nonBlank(acts));

    body = server.pageAfterJobs("/layer/stage3.relu1");
    FiringRates.Result expected = FiringRates.compute(model, ModelPreprocessing.of(model), server.data, "stage3.relu1",
        FiringRates.Options.defaults(), PassListener.NONE, () -> false);
    Matcher units = Pattern.compile("<tr><td><a href=\"/layer/stage3.relu1/unit/(\\d+)\">#\\d+</a></td><td class=\"num\">"
        + "<span class=\"bar\" style=\"width:\\d+px\"></span> [0-9.]+%</td><td class=\"num\">([0-9,]+)</td>").matcher(body);
    int[] ranked = expected.ranked();
    int row = 0;
    while (units.find()) {
      assertEquals(ranked[row], Integer.parseInt(units.group(1)), "rank " + row);
      assertEquals(expected.fired()[ranked[row]], Long.parseLong(units.group(2).replace(",", "")), "count of unit " + ranked[row]);
      row++;
    }
    assertEquals(128, row, "every unit listed");
    assertFalse(body.contains("Filters"), "a ReLU has no filters");
  }

  @Test
  void unitPageShowsPatchesMasksVisualizationAndNeighbouringLayers() throws Exception {
    String body = server.pageAfterJobs("/layer/stage2.relu1/unit/5");
    for (String cls : new String[] {"patches", "masks", "visualization"}) {
      BufferedImage picture = image(src(body, cls));
      assertTrue(nonBlank(picture), cls);
    }
    assertTrue(body.contains("href=\"/layer/stage2.bn1/unit/5\""), "previous layer, same unit");
    assertTrue(body.contains("href=\"/layer/stage2.conv2/unit/5\""), "next layer, same unit");
    int before = server.explorer.cache().computations();
    server.page("/layer/stage2.relu1/unit/5");
    assertEquals(before, server.explorer.cache().computations(), "a second visit computes nothing");
  }

  @Test
  void imagePagePredictionsAreTheModelsOwn() throws Exception {
    String body = server.page("/image/7");
    Tensor logits = model.network().predict(modelInput(7));
    List<Predictions.Entry> top = Predictions.top(logits, 0, 5);
    Matcher rows = Pattern.compile("<tr data-class=\"(\\d+)\"><td class=\"num\">\\d+</td><td>([^<]*)</td><td class=\"num\">([0-9.]+)</td>")
        .matcher(body);
    for (Predictions.Entry e : top) {
      assertTrue(rows.find());
      assertEquals(e.index(), Integer.parseInt(rows.group(1)));
      assertEquals(model.className(e.index()), rows.group(2).replace("&#39;", "'"));
      assertEquals(String.format("%.4f", e.probability()), rows.group(3));
    }
    assertFalse(rows.find(), "top 5 only");
    for (String method : Explainers.names()) assertTrue(body.contains("data-method=\"" + method + "\""), method);
    assertTrue(body.contains("id=\"opacity\""));
  }

  @Test
  void explanationsMatchTheLibraryAndAreCachedAfterTheFirstRequest() throws Exception {
    int target = 3;
    Map<String, Object> j = server.json("/api/explain?image=12&method=gradcam&class=" + target + "&layer=stage2.relu2");
    Query query = Query.forClass(model, modelInput(12), target, "stage2.relu2");
    Evaluation.Result expected = Evaluation.run(query, List.of(Explainers.create("gradcam")), Evaluation.Options.defaults()).get(0);
    assertEquals(expected.deletionInsertion().deletionAuc()[0], ((Number) j.get("deletion_auc")).doubleValue(), 1e-6);
    assertEquals(expected.deletionInsertion().insertionAuc()[0], ((Number) j.get("insertion_auc")).doubleValue(), 1e-6);
    assertEquals("stage2.relu2", j.get("layer"));
    BufferedImage heat = image((String) j.get("heatmap"));
    assertEquals(224, heat.getWidth());
    assertEquals(224, heat.getHeight());
    assertTrue(nonBlank(heat));

    int before = server.explorer.cache().computations();
    Map<String, Object> again = server.json("/api/explain?image=12&method=gradcam&class=" + target + "&layer=stage2.relu2");
    assertEquals(j, again);
    assertEquals(before, server.explorer.cache().computations(), "the second request is a cache hit");
  }

  @Test
  void concurrentIdenticalRequestsComputeOnce() throws Exception {
    int before = server.explorer.cache().computations();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(pool.submit(() -> {
        go.await();
        return server.get("/api/explain?image=21&method=occlusion&class=1");
      }));
    }
    go.countDown();
    String first = null;
    for (Future<HttpResponse<String>> a : answers) {
      HttpResponse<String> r = a.get();
      assertEquals(200, r.statusCode(), r.body());
      if (first == null) first = r.body();
      assertEquals(first, r.body());
    }
    pool.shutdown();
    assertEquals(before + 1, server.explorer.cache().computations(), "eight requests, one computation");
  }

  @Test
  void unknownLayersUnitsImagesAndMethodsAre404PagesSayingWhatWasWrong() throws Exception {
    expect(404, "/layer/nope", "no layer named &#39;nope&#39;");
    expect(404, "/layer/stage1.conv1/unit/32", "its units are 0 to 31");
    expect(404, "/layer/stage1.conv1/unit/x", "no unit &#39;x&#39;");
    expect(404, "/layer/fc/unit/0", "has no units");
    expect(404, "/image/2000", "the dataset has 2000 images (0 to 1999)");
    expect(404, "/image/abc", "not a dataset index");
    expect(404, "/image/upload/0123", "no uploaded image");
    expect(404, "/image/7?class=10", "class 10 is out of range");
    expect(400, "/image/7?layer=fc", "no spatial map");
    expect(404, "/api/explain?image=1&method=bogus&class=0", "unknown method 'bogus'");
    expect(404, "/api/explain?image=1&method=saliency&class=12", "class 12 is out of range");
    expect(400, "/api/explain?method=saliency&class=1", "give the image");
    expect(404, "/api/jobs/ffffffffffffffffffffffffffffffff", "no job");
    expect(404, "/cache/ffffffffffffffffffffffffffffffff.png", "no cached result");
    expect(404, "/nothing/here", "no page at /nothing/here");
    assertEquals(302, server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    HttpResponse<String> go = server.get("/image/go?index=12");
    assertEquals(302, go.statusCode());
    assertEquals("/image/12", go.headers().firstValue("Location").orElse(""));
    expect(404, "/image/go?index=-1", "image -1 is out of range");
  }

  @Test
  void optionsSayWhatIsWrong() {
    ExplorerOptions d = ExplorerOptions.defaults(server.dir);
    assertEquals("127.0.0.1", d.host());
    assertFalse(d.exposed());
    assertTrue(d.withHost("0.0.0.0").exposed());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withPort(65536));
    assertEquals("--port must be between 0 and 65535, got 65536", e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withUploadLimit(0));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withWork(0, 1, 1, 10));
  }

  private static void expect(int status, String path, String message) throws Exception {
    HttpResponse<String> r = server.get(path);
    assertEquals(status, r.statusCode(), path);
    assertTrue(r.body().contains(message), path + " says " + r.body());
    assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), path + ": no stack trace");
  }

  @Test
  void noPathLeadsOutOfTheStaticRootOrTheCache() throws Exception {
    assertEquals(200, raw("/static/explorer.js").status(), "the control request");
    String[] attempts = {
        "/static/../../etc/passwd", "/static/..%2F..%2F..%2Fetc%2Fpasswd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/%252e%252e%252fetc%252fpasswd", "/static/..\\..\\etc\\passwd", "/static/....//....//etc/passwd",
        "/cache/../../../../etc/passwd", "/cache/..%2f..%2f..%2fetc%2fpasswd", "/cache/%2e%2e%2fuploads",
        "/static/%c0%ae%c0%ae/etc/passwd", "/image/upload/..%2F..%2F..%2Fetc%2Fpasswd", "/thumb/..%2F..%2Fetc%2Fpasswd",
        "/static/explorer.js%00.png", "/cache/model", "/static/simplelogger.properties", "/static/../Explorer.class"};
    for (String path : attempts) {
      Raw r = raw(path);
      assertNotEquals(200, r.status(), path);
      assertFalse(r.body().contains("root:"), path + " leaked /etc/passwd");
      assertFalse(r.body().contains("\tat "), path + ": no stack trace");
    }
  }

  private record Raw(int status, String body) {}

  /** A request sent byte for byte, so that no client normalizes its path first. */
  private static Raw raw(String path) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.explorer.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return new Raw(Integer.parseInt(response.substring(9, 12)), response);
    }
  }

  @Test
  void uploadsAreCheckedForTypeAndSizeAndExplainedLikeDatasetImages() throws Exception {
    // A dataset image as an 8-bit grey PNG: the same pixels, so the same predictions.
    BufferedImage picture = ImageOps.fromTensor(server.data.batch(new int[] {7}).images().reshape(1, 28, 28));
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(picture, "png", png);
    HttpResponse<String> r = upload("shirt.png", "image/png", png.toByteArray());
    assertEquals(303, r.statusCode(), r.body());
    String location = r.headers().firstValue("Location").orElseThrow();
    assertTrue(location.matches("/image/upload/[0-9a-f]{64}"), location);
    String page = server.page(location);
    String dataset = server.page("/image/7");
    assertEquals(predictions(dataset), predictions(page), "the uploaded copy of image 7 is predicted as image 7");
    String hash = location.substring("/image/upload/".length());
    Map<String, Object> j = server.json("/api/explain?upload=" + hash + "&method=saliency&class=2");
    assertTrue(nonBlank(image((String) j.get("heatmap"))));
    assertTrue(page.contains("href=\"/layer/stage2.relu1?upload=" + hash + "\""), "the upload's activations, layer by layer");
    String layer = server.page("/layer/stage2.relu1?upload=" + hash);
    assertTrue(nonBlank(image(src(layer, "activations"))));

    HttpResponse<String> text = upload("notes.png", "image/png", "this is not an image".getBytes(StandardCharsets.UTF_8));
    assertEquals(415, text.statusCode());
    assertTrue(text.body().contains("not an image that can be read; expected a PNG or JPEG file"), text.body());
    byte[] huge = new byte[(int) ExplorerFixture.UPLOAD_LIMIT + 1000];
    System.arraycopy(png.toByteArray(), 0, huge, 0, png.size());
    HttpResponse<String> big = upload("big.png", "image/png", huge);
    assertEquals(413, big.statusCode());
    assertTrue(big.body().contains("larger than the limit of 1,048,576 bytes"), big.body());
    HttpResponse<String> bomb = upload("bomb.png", "image/png", pngHeader(30_000, 30_000));
    assertEquals(413, bomb.statusCode());
    assertTrue(bomb.body().contains("the image is 30,000 x 30,000 pixels"), bomb.body());
    HttpResponse<String> none = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/image/upload"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, none.statusCode());
    assertFalse(none.body().contains("\tat "));
    assertEquals(10L << 20, ExplorerOptions.defaults(server.dir).uploadLimit(), "10 MB by default");
  }

  /** The start of a PNG file that claims a size: the signature and a valid IHDR chunk, no pixels. */
  private static byte[] pngHeader(int width, int height) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    b.putInt(13);
    int start = b.position();
    b.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0)
        .put((byte) 0).put((byte) 0);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(b.array(), start, 17);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static List<String> predictions(String page) {
    List<String> rows = new ArrayList<>();
    Matcher m = Pattern.compile("<tr data-class=.*?</tr>").matcher(page);
    while (m.find()) rows.add(m.group());
    assertEquals(5, rows.size());
    return rows;
  }

  static HttpResponse<String> upload(String name, String type, byte[] content) throws Exception {
    String boundary = "convscope-test-boundary";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + name + "\"\r\nContent-Type: "
        + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(content);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/image/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void longJobsReportProgressCanBeCancelledAndLeaveTheServerResponsive() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    String key = ResultCache.key("test", "a job that runs until cancelled");
    Job job = server.explorer.cache().submit(key, "waiting", j -> {
      running.countDown();
      for (int step = 0; ; step++) {
        if (j.cancelled()) throw new java.util.concurrent.CancellationException("stopped at step " + step);
        j.progress("waiting", step % 100, 100);
        Thread.sleep(10);
      }
    });
    running.await();
    Map<String, Object> status = server.json("/api/jobs/" + key);
    assertEquals("running", status.get("state"));
    // Pages answer while the job holds a worker.
    assertTrue(server.page("/model").contains("stage3.conv1"));
    assertEquals(Job.State.RUNNING, job.state(), "still running after the page was served");
    HttpResponse<String> cancel = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs/" + key + "/cancel"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, cancel.statusCode());
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (job.state() == Job.State.RUNNING && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals("cancelled", server.json("/api/jobs/" + key).get("state"));
    assertFalse(server.explorer.cache().has(key), "nothing cached for a cancelled job");
  }

  @Test
  void embeddingMapsThePointsWithTheirNeighboursAndTheClassOverlap() throws Exception {
    String body = server.pageAfterJobs("/embedding");
    Matcher src = Pattern.compile("data-src=\"(/cache/[0-9a-f]{32}\\.json)\"").matcher(body);
    assertTrue(src.find(), body);
    Map<String, Object> map = server.json(src.group(1));
    List<?> points = (List<?>) map.get("points");
    assertEquals(300, points.size());
    assertEquals(10, ((List<?>) map.get("classes")).size());
    assertEquals(45, ((List<?>) map.get("overlap")).size(), "every pair of the 10 classes");
    assertTrue(body.contains("<table id=\"overlap\">"));
    // Pixel neighbours of a point, by brute force over the same 300 images.
    float[] pixels = server.data.batch(java.util.stream.IntStream.range(0, 300).toArray()).images().data();
    int d = 28 * 28;
    for (int i : new int[] {0, 150}) {
      Map<?, ?> p = (Map<?, ?>) points.get(i);
      List<?> neighbours = (List<?>) p.get("pixels");
      Integer[] order = java.util.stream.IntStream.range(0, 300).filter(j -> j != i).boxed().toArray(Integer[]::new);
      double[] dist = new double[300];
      for (int j = 0; j < 300; j++) {
        double s = 0;
        for (int q = 0; q < d; q++) {
          double diff = pixels[i * d + q] - pixels[j * d + q];
          s += diff * diff;
        }
        dist[j] = s;
      }
      java.util.Arrays.sort(order, java.util.Comparator.comparingDouble((Integer j) -> dist[j]).thenComparingInt(j -> j));
      for (int k = 0; k < 8; k++) assertEquals(order[k].intValue(), ((Number) neighbours.get(k)).intValue(), "point " + i + " neighbour " + k);
      assertEquals(8, ((List<?>) p.get("features")).size());
      assertFalse(((List<?>) p.get("features")).contains(i), "a point is not its own neighbour");
      assertEquals(server.data.label(i), ((Number) p.get("label")).intValue());
    }
  }

  private static String src(String body, String cls) {
    Matcher m = Pattern.compile("<img class=\"" + cls + "\" src=\"([^\"]+)\"").matcher(body);
    assertTrue(m.find(), "an image of class " + cls);
    return m.group(1);
  }

  static BufferedImage image(String path) throws Exception {
    HttpResponse<byte[]> r = server.bytes(path);
    assertEquals(200, r.statusCode(), path);
    assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""), path);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
    assertNotNull(image, path);
    return image;
  }

  /** Whether an image has more than one colour. */
  static boolean nonBlank(BufferedImage image) {
    int first = image.getRGB(0, 0);
    for (int y = 0; y < image.getHeight(); y++) for (int x = 0; x < image.getWidth(); x++) if (image.getRGB(x, y) != first) return true;
    return false;
  }

}
