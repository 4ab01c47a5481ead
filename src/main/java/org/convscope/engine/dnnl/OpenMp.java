package org.convscope.engine.dnnl;

import com.sun.jna.Function;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * The calling thread's OpenMP thread count, which oneDNN reads when it creates and runs a primitive. Calls the
 * OpenMP runtime oneDNN loaded (found by symbol, so never another copy of it) through JNA: the dnnl binding does
 * not expose OpenMP. Where JNA cannot load (a temporary directory mounted noexec, say), the count is left alone
 * and {@link #defaultThreads} is 0: every primitive then runs on all threads, as OpenMP decides.
 */
final class OpenMp {
  private static final Function SET_NUM_THREADS;
  private static final Function GET_MAX_THREADS;
  /** OMP_NUM_THREADS, or the number of cores: what every thread starts with; 0 when OpenMP is out of reach. */
  private static final int DEFAULT_THREADS;

  static {
    Function set = null;
    Function get = null;
    int threads = 0;
    try {
      set = function("omp_set_num_threads");
      get = function("omp_get_max_threads");
      threads = get.invokeInt(new Object[0]);
    } catch (LinkageError | RuntimeException e) {
      set = null;
      get = null;
    }
    SET_NUM_THREADS = set;
    GET_MAX_THREADS = get;
    DEFAULT_THREADS = threads;
  }

  private OpenMp() {}

  private static Function function(String symbol) {
    Dnnl.engine(); // loads oneDNN, and with it its OpenMP runtime
    Pointer address = Loader.addressof(symbol);
    if (address == null || address.isNull()) {
      throw new IllegalStateException("OpenMP's " + symbol + " not found among the loaded libraries");
    }
    return Function.getFunction(new com.sun.jna.Pointer(address.address()));
  }

  static int defaultThreads() {
    return DEFAULT_THREADS;
  }

  /** The number of threads the calling thread's next parallel region will use (0 when out of reach). */
  static int threads() {
    return GET_MAX_THREADS == null ? 0 : GET_MAX_THREADS.invokeInt(new Object[0]);
  }

  /** Sets the calling thread's thread count for the parallel regions it starts (oneDNN's included). */
  private static void setThreads(int threads) {
    SET_NUM_THREADS.invokeVoid(new Object[] {threads});
  }

  /**
   * {@code body}'s result, run with the calling thread's thread count set to {@code threads}; the count is back
   * at the default afterwards, also when {@code body} throws.
   */
  static <T> T onThreads(int threads, Supplier<T> body) {
    if (threads == DEFAULT_THREADS || SET_NUM_THREADS == null) return body.get();
    setThreads(threads);
    try {
      return body.get();
    } finally {
      setThreads(DEFAULT_THREADS);
    }
  }
}
