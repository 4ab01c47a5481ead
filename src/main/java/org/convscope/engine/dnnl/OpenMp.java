package org.convscope.engine.dnnl;

import com.sun.jna.Function;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * The calling thread's OpenMP thread count, which oneDNN reads when it creates and runs a primitive. Calls the
 * OpenMP runtime oneDNN loaded (found by symbol, so never another copy of it) through JNA: the dnnl binding does
 * not expose OpenMP.
 */
final class OpenMp {
  private static final Function SET_NUM_THREADS = function("omp_set_num_threads");
  private static final Function GET_MAX_THREADS = function("omp_get_max_threads");
  /** OMP_NUM_THREADS, or the number of cores: what every thread starts with. */
  private static final int DEFAULT_THREADS = threads();

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

  /** The number of threads the calling thread's next parallel region will use. */
  static int threads() {
    return GET_MAX_THREADS.invokeInt(new Object[0]);
  }

  /** Sets the calling thread's thread count for the parallel regions it starts (oneDNN's included). */
  static void setThreads(int threads) {
    SET_NUM_THREADS.invokeVoid(new Object[] {threads});
  }

  /**
   * {@code body}'s result, run with the calling thread's thread count set to {@code threads}; the count is back
   * at the default afterwards, also when {@code body} throws.
   */
  static <T> T onThreads(int threads, Supplier<T> body) {
    if (threads == DEFAULT_THREADS) return body.get();
    setThreads(threads);
    try {
      return body.get();
    } finally {
      setThreads(DEFAULT_THREADS);
    }
  }
}
