package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Explainers;
import org.convscope.explain.Query;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Cancelling an explanation, which has no cancellation check of its own: the worker thread is interrupted and
 * the engine stops between two nodes. Score-CAM with one masked image per forward pass runs long enough on
 * the demo model to be stopped half-way: a job that ends CANCELLED, not DONE, was stopped before it finished.
 */
class ExplorerCancelTest {
  private static final int IMAGE = 7;
  private static final int BATCH = 1;

  @Test
  void aCancelledScoreCamStopsBeforeItEndsLeavesNothingCachedAndRunsWholeAgain() throws Exception {
    try (ExplorerFixture server = new ExplorerFixture(o -> new ExplorerOptions(o.host(), o.port(), o.cache(), o.uploadLimit(),
        o.workers(), BATCH, o.patches(), o.masks(), o.visualizationSteps(), o.embeddingPoints()))) {
      String page = server.page("/image/" + IMAGE);
      Matcher m = Pattern.compile("data-method=\"scorecam\" data-job=\"([0-9a-f]{32})\" data-api=\"([^\"]+)\"").matcher(page);
      assertTrue(m.find(), "the Score-CAM card names its job");
      String key = m.group(1);
      String api = m.group(2).replace("&amp;", "&");
      assertEquals(404, server.get("/api/jobs/" + key).statusCode(), "no job before the card asks for it");

      CompletableFuture<HttpResponse<String>> first = server.http.sendAsync(
          HttpRequest.newBuilder(URI.create(server.base() + api)).timeout(Duration.ofSeconds(300)).build(),
          HttpResponse.BodyHandlers.ofString());
      // Cancelled as soon as it runs: warm, the whole job takes about half a second on the demo model.
      waitFor(server, key, "running");
      assertTrue(((Number) server.json("/api/jobs/" + key).get("seconds")).doubleValue() >= 0, "the job reports its running time");

      HttpResponse<String> cancel = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs/" + key + "/cancel"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, cancel.statusCode());
      // CANCELLED is set only once the task has returned on its worker thread, and only if it had not finished:
      // that, not a time limit (a busy machine may take any time), shows the engine stopped between nodes.
      waitFor(server, key, "cancelled");
      HttpResponse<String> answer = first.get(5, TimeUnit.SECONDS);
      assertEquals(409, answer.statusCode());
      assertTrue(answer.body().contains("cancelled"), answer.body());
      assertFalse(server.explorer.cache().has(key), "nothing cached for a cancelled job");
      assertNull(server.explorer.cache().file(key + ".json"));

      // Asked again, it runs whole, on a worker whose interrupt flag was cleared, and gives the library's values.
      int computations = server.explorer.cache().computations();
      Map<String, Object> j = server.json(api);
      assertEquals(computations + 1, server.explorer.cache().computations());
      assertTrue(server.explorer.cache().has(key));
      assertEquals("done", server.json("/api/jobs/" + key).get("state"));
      int target = ((Number) j.get("target")).intValue();
      Tensor x = server.explorer.workspace().input(Workspace.ImageRef.dataset(IMAGE));
      Evaluation.Result expected = Evaluation.run(Query.forClass(server.explorer.workspace().model(), x, target, null),
          List.of(Explainers.create("scorecam", BATCH)), Evaluation.Options.defaults()).get(0);
      assertEquals(expected.deletionInsertion().deletionAuc()[0], ((Number) j.get("deletion_auc")).doubleValue(), 1e-6);
      assertEquals(expected.deletionInsertion().insertionAuc()[0], ((Number) j.get("insertion_auc")).doubleValue(), 1e-6);
      // The same worker pool still runs other work uninterrupted.
      assertEquals(200, server.get("/api/explain?image=" + IMAGE + "&method=saliency&class=" + target).statusCode());
    }
  }

  private static void waitFor(ExplorerFixture server, String key, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = server.get("/api/jobs/" + key);
      if (r.statusCode() == 200) {
        seen = (String) ExplorerClient.JSON.readValue(r.body(), Map.class).get("state");
        if (seen.equals(state)) return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("job " + key + " did not become " + state + "; last " + seen);
  }
}
