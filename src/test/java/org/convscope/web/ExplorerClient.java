package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP helpers for an explorer on this machine, the fixture's or one a test started itself. */
class ExplorerClient {
  static final ObjectMapper JSON = new ObjectMapper();

  final Explorer explorer;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  ExplorerClient(Explorer explorer) {
    this.explorer = explorer;
  }

  String base() {
    return "http://127.0.0.1:" + explorer.port();
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(300)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> bytes(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(300)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** GET a page that must exist. */
  String page(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> json(String path) throws IOException, InterruptedException {
    return JSON.readValue(page(path), Map.class);
  }

  /** Waits for every job panel of a page to finish, then returns the page as it is then. */
  String pageAfterJobs(String path) throws Exception {
    String body = page(path);
    Matcher m = Pattern.compile("data-job=\"([0-9a-f]{32})\"").matcher(body);
    while (m.find()) awaitJob(m.group(1));
    return page(path);
  }

  void awaitJob(String key) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      Map<String, Object> status = json("/api/jobs/" + key);
      String state = (String) status.get("state");
      if (state.equals("done")) return;
      if (state.equals("failed") || state.equals("cancelled")) fail("job " + key + " " + state + ": " + status.get("error"));
      Thread.sleep(100);
    }
    fail("job " + key + " did not finish");
  }
}
