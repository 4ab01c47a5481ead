package org.convscope.engine;

/** What a trace holds, for tests outside this package. */
public final class Traces {
  private Traces() {}

  /** Whether the trace keeps the tensor held in oneDNN's layout (see {@link Trace#held}). */
  public static boolean isHeld(Trace trace, String tensor) {
    return trace.held(tensor) != null;
  }
}
