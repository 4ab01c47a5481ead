package org.convscope.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One computation of the explorer, running in the background: what it is, how far it has got, and whether the
 * user asked it to stop. Tasks read {@link #cancelled()} between batches or steps and report {@link #progress};
 * cancelling also interrupts the worker thread running the task, which stops the engine between two nodes of
 * its next forward or backward pass ({@link org.convscope.engine.Cancelled}), so analyses without a
 * cancellation check of their own (the explanation methods) stop too.
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
  private volatile long startedAt;
  private volatile long endedAt;
  /** The worker running the task, while it runs; guarded by this. */
  private Thread runner;

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

  /** Asks the task to stop: at its next check, or the engine's next node when it is running; a queued job never starts. */
  public void cancel() {
    cancelRequested = true;
    synchronized (this) {
      if (runner != null) runner.interrupt();
    }
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

  /** The task starts on this thread: from now on {@link #cancel} interrupts it. */
  synchronized void started(Thread thread) {
    runner = thread;
    startedAt = System.nanoTime();
    state = State.RUNNING;
  }

  /**
   * The task has returned: {@link #cancel} no longer interrupts the thread, whose interrupt flag is cleared
   * (it may have been set just before), so that the worker's next task does not start interrupted.
   */
  void stopped() {
    synchronized (this) {
      runner = null;
      endedAt = System.nanoTime();
    }
    Thread.interrupted();
  }

  void succeeded() {
    fraction = 1;
    state = State.DONE;
    done.complete(null);
  }

  void failed(Throwable e, boolean cancelled) {
    if (startedAt == 0) startedAt = endedAt = System.nanoTime();
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
    if (startedAt != 0) m.put("seconds", ((endedAt != 0 ? endedAt : System.nanoTime()) - startedAt) / 1e9);
    if (error != null) m.put("error", error);
    return m;
  }
}
