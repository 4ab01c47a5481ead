package org.convscope.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.convscope.tensor.AtomicFiles;

/**
 * The explorer's results on disk, and the jobs that make them. A result is a few files named after its key (a
 * hash of the model, the analysis and its parameters), written atomically, then marked complete; a second
 * request finds them and costs nothing. Requests for a result that is being computed join its job, so
 * concurrent requests compute it once. Jobs run on a small pool of workers, so the server's request threads stay
 * free while a long job runs.
 */
public final class ResultCache implements AutoCloseable {
  /** Changes when the pictures or numbers the explorer stores change, so that old results are not served. */
  private static final String VERSION = "1";
  /** A servable file: a key, an optional part name, and a type. Nothing else under the cache is served. */
  private static final Pattern FILE = Pattern.compile("[0-9a-f]{32}(\\.[a-z0-9]{1,24})?\\.(png|json)");

  /** The computation of one result: returns its files, by part name ("png", "json", "u3.png", ...). */
  @FunctionalInterface
  public interface Task {
    Map<String, byte[]> run(Job job) throws Exception;
  }

  private final Path dir;
  private final ExecutorService workers;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicInteger computations = new AtomicInteger();

  /** @param workers how many results are computed at once */
  public ResultCache(Path dir, int workers) throws IOException {
    this.dir = Files.createDirectories(dir);
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "explorer-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The key of a result: a hash of its parts (model hash, analysis, parameters). */
  public static String key(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(VERSION.getBytes(StandardCharsets.UTF_8));
      for (String part : parts) {
        sha.update((byte) 0);
        sha.update(part.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** Whether the result of this key is complete on disk. */
  public boolean has(String key) {
    return Files.exists(dir.resolve(key + ".done"));
  }

  /** The job making this result: the running one, a new one, or a finished one when the result is on disk. */
  public Job submit(String key, String title, Task task) {
    if (has(key)) return Job.finished(key, title);
    return jobs.compute(key, (k, existing) -> {
      if (existing != null && existing.state() != Job.State.FAILED && existing.state() != Job.State.CANCELLED) return existing;
      Job job = new Job(k, title);
      workers.execute(() -> run(job, task));
      return job;
    });
  }

  /**
   * The result of this key, computing it if needed, waiting at most {@code seconds}.
   *
   * @throws RuntimeException the task's own failure (such as an InvalidInputException), unwrapped
   */
  public void await(String key, String title, Task task, long seconds) throws TimeoutException, InterruptedException {
    Job job = submit(key, title, task);
    try {
      job.done().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) throw r;
      throw new IllegalStateException(Pages.oneLine(cause), cause);
    }
  }

  /** The job of a key this server has run or is running, or null. */
  public Job job(String key) {
    Job job = jobs.get(key);
    if (job == null && key.matches("[0-9a-f]{32}") && has(key)) return Job.finished(key, "");
    return job;
  }

  /** How many tasks have run since the server started: what a cache hit does not add to. */
  public int computations() {
    return computations.get();
  }

  /** A file of a complete result, or null for a name that is not one (nothing outside the cache is reachable). */
  public Path file(String name) {
    if (name == null || !FILE.matcher(name).matches()) return null;
    if (!has(name.substring(0, 32))) return null;
    Path file = dir.resolve(name);
    return Files.isRegularFile(file) ? file : null;
  }

  /** A part of a complete result. */
  public byte[] read(String key, String part) throws IOException {
    return Files.readAllBytes(dir.resolve(key + "." + part));
  }

  /** The URL path of a part of a result. */
  public static String url(String key, String part) {
    return "/cache/" + key + "." + part;
  }

  private void run(Job job, Task task) {
    if (job.cancelled()) {
      job.failed(new CancellationException("cancelled before it started"), true);
      return;
    }
    job.started();
    computations.incrementAndGet();
    try {
      Map<String, byte[]> parts = task.run(job);
      for (Map.Entry<String, byte[]> part : parts.entrySet()) {
        byte[] bytes = part.getValue();
        AtomicFiles.write(dir.resolve(job.key() + "." + part.getKey()), out -> out.write(bytes));
      }
      // The marker last: a result is served only once every part of it is in place.
      AtomicFiles.write(dir.resolve(job.key() + ".done"), out -> {});
      job.succeeded();
    } catch (CancellationException e) {
      job.failed(e, true);
    } catch (Throwable e) {
      job.failed(e, false);
    }
  }

  @Override
  public void close() {
    jobs.values().forEach(Job::cancel);
    workers.shutdownNow();
  }
}
