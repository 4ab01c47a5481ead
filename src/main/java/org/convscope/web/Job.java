package org.convscope.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One computation of the explorer, running in the background: what it is, how far it has got, and whether the
 * user asked it to stop. Tasks read {@link #cancelled()} between batches or steps and report {@link #progress}.
 */
public final class Job {
  /** Where a job stands, as the page shows it. */
  public enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

  private final String key;
  private final String title;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile State state = State.QUEUED;
  private volatile double fraction;
  private volatile String stage = "";
  private volatile boolean cancelRequested;
  private volatile String error;

  Job(String key, String title) {
    this.key = key;
    this.title = title;
  }

  /** A job whose result was already on disk. */
  static Job finished(String key, String title) {
    Job job = new Job(key, title);
    job.state = State.DONE;
    job.fraction = 1;
    job.done.complete(null);
    return job;
  }

  public String key() {
    return key;
  }

  public String title() {
    return title;
  }

  public State state() {
    return state;
  }

  /** Completes when the result is on disk, or exceptionally with the task's failure. */
  public CompletableFuture<Void> done() {
    return done;
  }

  /** Asks the task to stop at its next check; a queued job never starts. */
  public void cancel() {
    cancelRequested = true;
  }

  /** Whether the user asked to stop: tasks pass this to the analyses as their cancellation check. */
  public boolean cancelled() {
    return cancelRequested;
  }

  /** Records progress: {@code done} of {@code total} units of work in the named stage. */
  public void progress(String stage, long done, long total) {
    this.stage = stage;
    this.fraction = total <= 0 ? 0 : Math.min(1, done / (double) total);
  }

  void started() {
    state = State.RUNNING;
  }

  void succeeded() {
    fraction = 1;
    state = State.DONE;
    done.complete(null);
  }

  void failed(Throwable e, boolean cancelled) {
    state = cancelled ? State.CANCELLED : State.FAILED;
    error = cancelled ? "cancelled" : Pages.oneLine(e);
    done.completeExceptionally(e);
  }

  /** The job's state as the page polls it. */
  Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", key);
    m.put("title", title);
    m.put("state", state.name().toLowerCase());
    m.put("progress", fraction);
    m.put("stage", stage);
    if (error != null) m.put("error", error);
    return m;
  }
}
