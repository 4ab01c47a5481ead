package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Locale;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.IntPointer;

/**
 * Which primitives run on the calling thread alone rather than on all of OpenMP's threads. Each execution on
 * several threads wakes the others, and with {@code OMP_WAIT_POLICY=PASSIVE} (the launcher's choice on a busy
 * machine) a sleeping thread wakes slowly: 0.1 to 0.17 ms on this 2-core virtual machine when Java has run between two
 * primitives, longer than most primitives of a batch-1 MobileNet pass take on one thread. There, one thread was
 * faster than two for every primitive of MobileNetV2's forward pass at batch 1, and for the 1x1 convolutions of
 * resnet18's (0.2 ms), while its 3x3 convolutions (1.4 to 2.8 ms) ran 1.4 times faster on two.
 *
 * <p>So a primitive whose estimated time on one thread is below {@link #PASSIVE_LIMIT_MICROS} is created and
 * run on one (oneDNN fixes a convolution's thread count when it creates it). Threads that spin between
 * primitives ({@code OMP_WAIT_POLICY=ACTIVE}, GOMP's default when it is unset, or {@code GOMP_SPINCOUNT}) wake
 * at once, and then every primitive gets them all. {@code CONVSCOPE_ONE_THREAD_BELOW_US} sets the limit instead (0: never one thread).
 */
final class PrimitiveThreads {
  /**
   * The limit in microseconds with passive threads. On two threads a primitive took about 0.1 ms + 0.65 t1 here
   * (t1 its time on one) when compute-bound, and no less than t1 when memory-bound: one thread wins below 0.3 to
   * 0.6 ms.
   */
  static final double PASSIVE_LIMIT_MICROS = 400;
  /** One core's throughput for the estimate: oneDNN's AVX2 kernels reached 66 to 96 GFLOP/s and 8 GB/s here. */
  private static final double FLOPS_PER_MICROSECOND = 80e3;
  private static final double BYTES_PER_MICROSECOND = 8e3;

  private PrimitiveThreads() {}

  /** Whether the primitive {@code descriptor} describes is better created and run on one thread. */
  static boolean oneThread(dnnl_primitive_desc descriptor) {
    if (OpenMp.defaultThreads() <= 1) return false; // one thread anyway, or OpenMP out of reach
    // Read at each creation (rare), so that a bad setting fails the call that reads it, with its message.
    double limit = limitMicros(System.getenv("CONVSCOPE_ONE_THREAD_BELOW_US"), System.getenv("OMP_WAIT_POLICY"),
        System.getenv("GOMP_SPINCOUNT"));
    return limit > 0 && singleThreadMicros(descriptor) < limit;
  }

  /**
   * The limit on a primitive's estimated time on one thread for running it on one, in microseconds: {@code set}
   * (the environment's setting) when not null, else by OpenMP's {@code waitPolicy}: passive threads wake slowly,
   * unless GOMP's {@code spinCount} makes them spin first (GOMP then ignores the policy).
   */
  static double limitMicros(String set, String waitPolicy, String spinCount) {
    if (set != null) {
      try {
        double micros = Double.parseDouble(set.trim());
        if (micros >= 0) return micros;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "CONVSCOPE_ONE_THREAD_BELOW_US: expected a number of microseconds, 0 or more; got '" + set + "'");
    }
    boolean passive = waitPolicy != null && waitPolicy.trim().toUpperCase(Locale.ROOT).equals("PASSIVE");
    boolean spins = spinCount != null && !spinCount.isBlank() && !spinCount.trim().equals("0");
    return passive && !spins ? PASSIVE_LIMIT_MICROS : 0;
  }

  /**
   * Estimated microseconds on one thread: the larger of its arithmetic (convolutions, inner products and
   * matrix products) and the bytes of its arguments, at one core's throughput.
   */
  static double singleThreadMicros(dnnl_primitive_desc descriptor) {
    long bytes = 0;
    for (int arg : new int[] {DNNL_ARG_SRC, DNNL_ARG_SRC_1, DNNL_ARG_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC,
        DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS}) {
      bytes += bytes(descriptor, arg);
    }
    return Math.max(flops(descriptor) / FLOPS_PER_MICROSECOND, bytes / BYTES_PER_MICROSECOND);
  }

  private static double flops(dnnl_primitive_desc descriptor) {
    int kind;
    try (IntPointer result = new IntPointer(1)) {
      Dnnl.check(dnnl_primitive_desc_query(descriptor, dnnl_query_primitive_kind, 0, result),
          "querying a primitive's kind");
      kind = result.get();
    }
    long[] out = dims(descriptor, DNNL_ARG_DST);
    if (out == null) out = dims(descriptor, DNNL_ARG_DIFF_DST);
    if (out == null) return 0;
    if (kind == dnnl_matmul) {
      long[] src = dims(descriptor, DNNL_ARG_SRC);
      return src == null ? 0 : 2.0 * elements(out) * src[src.length - 1];
    }
    if (kind != dnnl_convolution && kind != dnnl_deconvolution && kind != dnnl_inner_product) return 0;
    long[] weights = dims(descriptor, DNNL_ARG_WEIGHTS);
    if (weights == null) weights = dims(descriptor, DNNL_ARG_DIFF_WEIGHTS);
    // Each output value takes (weights / output channels) multiply-adds, groups included.
    return weights == null ? 0 : 2.0 * elements(out) * elements(weights) / out[1];
  }

  private static long bytes(dnnl_primitive_desc descriptor, int arg) {
    dnnl_memory_desc md = dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, arg);
    return md == null || md.isNull() ? 0 : dnnl_memory_desc_get_size(md);
  }

  private static long[] dims(dnnl_primitive_desc descriptor, int arg) {
    return bytes(descriptor, arg) == 0 ? null
        : MemoryDesc.view(dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, arg)).dims();
  }

  private static long elements(long[] dims) {
    long n = 1;
    for (long d : dims) n *= d;
    return n;
  }
}
