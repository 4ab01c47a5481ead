package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_engine;

/**
 * Entry point of the oneDNN binding: the process-wide CPU engine, each thread's {@link Workspace}, and status
 * checks that turn oneDNN's error codes into exceptions naming the failed call.
 *
 * <p>oneDNN's own threading is OpenMP, sized by {@code OMP_NUM_THREADS}. Several Java threads may run
 * primitives at once: each uses its own stream and scratch buffers (its workspace), and primitives are
 * created with user-managed scratchpads, which oneDNN documents as thread-safe under that condition.
 */
public final class Dnnl {
  private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

  private Dnnl() {}

  /** Lazily created and kept for the life of the process: every primitive and memory refers to it. */
  private static final class EngineHolder {
    static final dnnl_engine ENGINE = createEngine();

    private static dnnl_engine createEngine() {
      dnnl_engine engine = new dnnl_engine();
      check(dnnl_engine_create(engine, dnnl_cpu, 0), "creating the CPU engine");
      return engine;
    }
  }

  /** The CPU engine. */
  public static dnnl_engine engine() {
    return EngineHolder.ENGINE;
  }

  /**
   * The channel block of oneDNN's blocked layouts on this CPU: 16 where it runs AVX-512 kernels (one vector of
   * floats), 8 on AVX2.
   */
  public static int channelBlock() {
    return IsaHolder.CHANNEL_BLOCK;
  }

  /** The blocked activation layout for 4-D tensors on this CPU: nChw16c or nChw8c ({@link #channelBlock}). */
  public static int channelBlockedTag() {
    return channelBlock() == 16 ? dnnl_aBcd16b : dnnl_aBcd8b;
  }

  private static final class IsaHolder {
    static final int CHANNEL_BLOCK =
        (dnnl_get_effective_cpu_isa() & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core ? 16 : 8;
  }

  /** The calling thread's workspace (stream and scratch buffers), created on first use. */
  public static Workspace workspace() {
    return WORKSPACES.get();
  }

  /**
   * Frees the calling thread's stream and scratch buffers now rather than when the thread ends. A later call
   * from this thread simply creates a new workspace.
   */
  public static void releaseThreadResources() {
    Workspace w = WORKSPACES.get();
    WORKSPACES.remove();
    w.close();
  }

  /** Throws a {@link DnnlException} unless {@code status} is success. */
  public static void check(int status, String what) {
    if (status != dnnl_success) {
      throw new DnnlException("oneDNN failed " + what + ": " + statusName(status));
    }
  }

  static String statusName(int status) {
    if (status == dnnl_out_of_memory) return "out of memory";
    if (status == dnnl_invalid_arguments) return "invalid arguments";
    if (status == dnnl_unimplemented) return "no implementation for these shapes and attributes";
    if (status == dnnl_last_impl_reached) return "no more implementations";
    if (status == dnnl_runtime_error) return "runtime error";
    if (status == dnnl_not_required) return "operation not required";
    return "status " + status;
  }
}
