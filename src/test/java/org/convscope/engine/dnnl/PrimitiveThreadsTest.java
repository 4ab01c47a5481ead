package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.junit.jupiter.api.Test;

/** Which primitives run on one OpenMP thread, and that running them so changes nothing but the time. */
class PrimitiveThreadsTest {
  private static final long[] ONES = {1, 1};
  private static final long[] ZEROS = {0, 0};

  @Test
  void openMpIsReachableHere() {
    // Where it is not (JNA unable to load), primitives silently run on all threads; here it must be.
    assertTrue(OpenMp.defaultThreads() >= 1, "OpenMP's thread count through JNA: " + OpenMp.defaultThreads());
    assertEquals(OpenMp.defaultThreads(), OpenMp.threads());
  }

  @Test
  void theLimitComesFromTheSettingOrTheWaitPolicy() {
    assertEquals(250, PrimitiveThreads.limitMicros("250", null, null));
    assertEquals(0, PrimitiveThreads.limitMicros(" 0 ", "PASSIVE", null));
    assertEquals(PrimitiveThreads.PASSIVE_LIMIT_MICROS, PrimitiveThreads.limitMicros(null, "passive", null));
    assertEquals(PrimitiveThreads.PASSIVE_LIMIT_MICROS, PrimitiveThreads.limitMicros(null, "PASSIVE", "0"));
    assertEquals(0, PrimitiveThreads.limitMicros(null, "PASSIVE", "30000"), "threads that spin first wake at once");
    assertEquals(0, PrimitiveThreads.limitMicros(null, "ACTIVE", null));
    assertEquals(0, PrimitiveThreads.limitMicros(null, null, null));
    for (String bad : new String[] {"fast", "-1", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PrimitiveThreads.limitMicros(bad, "PASSIVE", null));
      assertTrue(e.getMessage().startsWith("CONVSCOPE_ONE_THREAD_BELOW_US: expected a number of microseconds")
          && e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void estimatesTheLargerOfArithmeticAndMemoryTraffic() {
    // 1x1 convolution, 16 -> 96 channels at 112 x 112: 2 * 96 * 112^2 * 16 flops (481.7 us at 80 GFLOP/s),
    // (16 + 96) * 112^2 values in and out plus 96 * 16 weights (702.6 us at 8 GB/s): memory-bound.
    assertEquals(((16 + 96) * 112 * 112 + 96 * 16) * 4 / 8e3,
        estimate(convolution(new long[] {1, 16, 112, 112}, new long[] {96, 16, 1, 1}, 1)), 1e-6);
    // 3x3, 64 -> 64 at 56 x 56 unpadded: 2 * 64 * 54^2 * 64 * 9 flops (2,687 us); compute-bound.
    assertEquals(2.0 * 64 * 54 * 54 * 64 * 9 / 80e3,
        estimate(convolution(new long[] {1, 64, 56, 56}, new long[] {64, 64, 3, 3}, 1)), 1e-6);
    // Depthwise 3x3 over 960 channels at 7 x 7 unpadded: 9 multiply-adds per output (5.4 us), so its data decide.
    assertEquals((960 * 7 * 7 + 960 * 5 * 5 + 960 * 9) * 4 / 8e3,
        estimate(convolution(new long[] {1, 960, 7, 7}, new long[] {960, 1, 1, 3, 3}, 960)), 1e-6);
    // Matrix product [64, 256] x [256, 128]: 2 * 64 * 128 * 256 flops.
    assertEquals(2.0 * 64 * 128 * 256 / 80e3, estimate(matmul(64, 256, 128)), 1e-6);
    // ReLU over 1000 values: 8,000 bytes.
    assertEquals(1.0, estimate(relu(1000)), 1e-9);
  }

  @Test
  void smallPrimitivesRunOnOneThreadAndLeaveTheCountAsItWas() {
    assumeTrue(OpenMp.defaultThreads() > 1 && PrimitiveThreads.limitMicros(System.getenv("CONVSCOPE_ONE_THREAD_BELOW_US"),
        System.getenv("OMP_WAIT_POLICY"), System.getenv("GOMP_SPINCOUNT")) > 1,
        "needs several OpenMP threads that sleep (mvn test sets OMP_NUM_THREADS=2 and OMP_WAIT_POLICY=PASSIVE)");
    try (Primitive small = Primitive.create("small ReLU", relu(1000));
        Primitive large = Primitive.create("large product", matmul(512, 512, 512))) {
      assertEquals(1, small.threads());
      assertEquals(OpenMp.defaultThreads(), large.threads());
      float[] x = random(1000, 3);
      float[] y = run(small, DNNL_ARG_SRC, x, 1000);
      assertEquals(OpenMp.defaultThreads(), OpenMp.threads(), "the thread count after a one-thread primitive");
      for (int i = 0; i < x.length; i++) assertEquals(Math.max(0, x[i]), y[i]);
    }
  }

  @Test
  void oneThreadComputesWhatAllThreadsCompute() {
    assumeTrue(OpenMp.defaultThreads() > 1, "needs several OpenMP threads");
    int m = 48, k = 200, n = 72;
    float[] a = random(m * k, 1);
    float[] b = random(k * n, 2);
    float[] onOne;
    float[] onAll;
    try (Primitive one = Primitive.createOnThreads("product", 1, matmul(m, k, n));
        Primitive all = Primitive.createOnThreads("product", OpenMp.defaultThreads(), matmul(m, k, n))) {
      onOne = product(one, a, b, m, k, n);
      onAll = product(all, a, b, m, k, n);
    }
    assertArrayEquals(onAll, onOne, 0f);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) sum += (double) a[i * k + p] * b[p * n + j];
        assertEquals(sum, onOne[i * n + j], 1e-4 * (1 + Math.abs(sum)));
      }
    }
  }

  @Test
  void theCountIsRestoredWhenTheWorkFails() {
    assumeTrue(OpenMp.defaultThreads() > 1, "needs several OpenMP threads");
    assertThrows(IllegalStateException.class, () -> OpenMp.onThreads(1, () -> {
      assertEquals(1, OpenMp.threads());
      throw new IllegalStateException("failed");
    }));
    assertEquals(OpenMp.defaultThreads(), OpenMp.threads());
  }

  private static double estimate(Primitive.DescriptorFactory factory) {
    dnnl_primitive_desc descriptor = new dnnl_primitive_desc();
    Dnnl.check(factory.create(descriptor, null), "creating a test descriptor");
    try {
      return PrimitiveThreads.singleThreadMicros(descriptor);
    } finally {
      dnnl_primitive_desc_destroy(descriptor);
    }
  }

  private static Primitive.DescriptorFactory convolution(long[] src, long[] weights, long groups) {
    long outChannels = groups > 1 ? weights[0] * weights[1] : weights[0];
    long[] dst = {src[0], outChannels, src[2] - weights[weights.length - 2] + 1, src[3] - weights[weights.length - 1] + 1};
    return (pd, attr) -> {
      try (MemoryDesc s = MemoryDesc.plain(src); MemoryDesc w = MemoryDesc.plain(weights);
          MemoryDesc d = MemoryDesc.plain(dst)) {
        return dnnl_convolution_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_inference,
            dnnl_convolution_direct, s.handle(), w.handle(), null, d.handle(), ONES, ZEROS, ZEROS, ZEROS, attr);
      }
    };
  }

  private static Primitive.DescriptorFactory matmul(long m, long k, long n) {
    return (pd, attr) -> {
      try (MemoryDesc a = MemoryDesc.plain(m, k); MemoryDesc b = MemoryDesc.plain(k, n);
          MemoryDesc c = MemoryDesc.plain(m, n)) {
        return dnnl_matmul_primitive_desc_create(pd, Dnnl.engine(), a.handle(), b.handle(), null, c.handle(), attr);
      }
    };
  }

  private static Primitive.DescriptorFactory relu(long values) {
    return (pd, attr) -> {
      try (MemoryDesc md = MemoryDesc.plain(values)) {
        return dnnl_eltwise_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_inference,
            dnnl_eltwise_relu, md.handle(), md.handle(), 0f, 0f, attr);
      }
    };
  }

  private static float[] product(Primitive p, float[] a, float[] b, int m, int k, int n) {
    try (MemoryDesc am = MemoryDesc.plain(m, k); MemoryDesc bm = MemoryDesc.plain(k, n);
        MemoryDesc cm = MemoryDesc.plain(m, n); NativeBuffer ab = new NativeBuffer(am.bytes());
        NativeBuffer bb = new NativeBuffer(bm.bytes()); NativeBuffer cb = new NativeBuffer(cm.bytes());
        ExecArgs args = new ExecArgs()) {
      ab.write(a);
      bb.write(b);
      Dnnl.workspace().execute(p, args.add(DNNL_ARG_SRC, am, ab).add(DNNL_ARG_WEIGHTS, bm, bb).add(DNNL_ARG_DST, cm, cb));
      float[] c = new float[m * n];
      cb.read(c);
      return c;
    }
  }

  private static float[] run(Primitive p, int arg, float[] x, int size) {
    try (MemoryDesc md = MemoryDesc.plain(size); NativeBuffer in = new NativeBuffer(md.bytes());
        NativeBuffer out = new NativeBuffer(md.bytes()); ExecArgs args = new ExecArgs()) {
      in.write(x);
      Dnnl.workspace().execute(p, args.add(arg, md, in).add(DNNL_ARG_DST, md, out));
      float[] y = new float[size];
      out.read(y);
      return y;
    }
  }

  private static float[] random(int size, long seed) {
    Random r = new Random(seed);
    float[] v = new float[size];
    for (int i = 0; i < size; i++) v[i] = (float) r.nextGaussian();
    return v;
  }
}
