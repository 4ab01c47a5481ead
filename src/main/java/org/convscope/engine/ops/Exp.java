package org.convscope.engine.ops;

/** e^x, within 2 ulp; 0 below x = -87 (where the true value is under 2e-38). See {@link FastExp}. */
public final class Exp extends ElementwiseActivation {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    float[] v = new float[FastExp.BLOCK];
    float[] e = new float[FastExp.BLOCK];
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      System.arraycopy(x, start, v, 0, n);
      FastExp.exp(v, e, n);
      System.arraycopy(e, 0, y, start, n);
    }
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] * y[i];
  }
}
