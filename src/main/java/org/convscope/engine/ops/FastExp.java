package org.convscope.engine.ops;

/**
 * e^v in float, about 5 times faster than Math.exp here. Math.exp works in double one element at a time;
 * this splits v = n ln2 + r with |r| &le; ln2/2, takes e^r from its Taylor polynomial of degree 7 (truncation
 * below 6e-9 relative) and scales by 2^n, which keeps the result within 2 ulp of e^v.
 *
 * <p>The polynomial is plain float arithmetic, which the JIT vectorizes; building 2^n from n's bits is not (this
 * JDK does not vectorize float/int bit moves), so it gets a pass of its own over the block. The loops work on
 * whole small arrays from index 0: this JDK's vectorizer gave up on loops that index arrays at different
 * offsets (a slice of a big array beside a scratch array), running them 5 times slower.
 *
 * <p>Results above Float.MAX_VALUE are infinite; below about 2e-38 (v &lt; -87.3, the bottom of the normal
 * floats) they are flushed to 0.
 */
final class FastExp {
  /** Values per block: small enough that a block's scratch arrays stay in the first-level cache. */
  static final int BLOCK = 512;

  private static final float LOG2_E = 1.44269504f;
  /** ln 2 in two parts: the first has few enough bits that n times it is exact for |n| &le; 128. */
  private static final float LN2_HI = 0.693145751953125f;
  private static final float LN2_LO = 1.42860682e-6f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
  private static final float ROUNDER = 12582912f;
  /** n = -126 and below give 2^(n-1) bits of 0, the flush to 0; n = 128 still gives a finite 2^(n-1). */
  private static final float LOWEST = -87.5f;
  private static final float HIGHEST = 88.73f;

  private FastExp() {}

  /** Writes e^v[j] into e[j] for j in [0, n); v and e must be different arrays. */
  static void exp(float[] v, float[] e, int n) {
    // 1: v log2(e) + ROUNDER, whose low mantissa bits hold n = round(v log2(e)).
    for (int j = 0; j < n; j++) e[j] = Math.fma(clamp(v[j]), LOG2_E, ROUNDER);
    // 2: 2^(n-1), put together in the exponent field; half of 2^n, so that n = 128 does not overflow here.
    for (int j = 0; j < n; j++) e[j] = Float.intBitsToFloat((Float.floatToRawIntBits(e[j]) + 126) << 23);
    // 3: e^r times 2 * 2^(n-1).
    for (int j = 0; j < n; j++) e[j] = reduced(clamp(v[j])) * e[j];
  }

  /**
   * The same as {@link #exp} for v already within [-87.5, 88.73] (or NaN), as callers that bound their
   * argument anyway guarantee: without the clamps, which cost about a third of the time.
   */
  static void expInRange(float[] v, float[] e, int n) {
    for (int j = 0; j < n; j++) e[j] = Math.fma(v[j], LOG2_E, ROUNDER);
    for (int j = 0; j < n; j++) e[j] = Float.intBitsToFloat((Float.floatToRawIntBits(e[j]) + 126) << 23);
    for (int j = 0; j < n; j++) e[j] = reduced(v[j]) * e[j];
  }

  /** 2 e^r with r = c - n ln2, n = round(c log2(e)): the factor that multiplies 2^(n-1). */
  private static float reduced(float c) {
    float k = Math.fma(c, LOG2_E, ROUNDER) - ROUNDER;
    float r = Math.fma(k, -LN2_HI, c);
    r = Math.fma(k, -LN2_LO, r);
    float p = 1f / 5040;
    p = Math.fma(p, r, 1f / 720);
    p = Math.fma(p, r, 1f / 120);
    p = Math.fma(p, r, 1f / 24);
    p = Math.fma(p, r, 1f / 6);
    p = Math.fma(p, r, 0.5f);
    p = Math.fma(p, r, 1f);
    p = Math.fma(p, r, 1f);
    return p + p;
  }

  /** NaN stays NaN (Math.min and max pass it on), and comes out of the polynomial as NaN. */
  private static float clamp(float v) {
    return Math.min(Math.max(v, LOWEST), HIGHEST);
  }
}
