package org.convscope.engine;

import java.util.concurrent.CancellationException;

/**
 * Thrown by {@link Network}'s forward and backward passes when their thread has been interrupted: whoever runs
 * an analysis on a thread of its own can stop it by interrupting that thread, between two nodes, whatever the
 * analysis. The thread's interrupt flag is left set.
 */
public final class Cancelled extends CancellationException {
  public Cancelled() {
    super("cancelled: the thread running the network was interrupted");
  }
}
