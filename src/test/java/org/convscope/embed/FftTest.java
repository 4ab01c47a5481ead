package org.convscope.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {
  /** The 2-D DFT by its definition, in double precision: sum over (r, c) of x e^(sign 2 pi i (r u + c v) / m). */
  private static double[][] naive(float[] re, float[] im, int m, double sign) {
    double[] outRe = new double[m * m];
    double[] outIm = new double[m * m];
    for (int u = 0; u < m; u++) {
      for (int v = 0; v < m; v++) {
        double sr = 0;
        double si = 0;
        for (int r = 0; r < m; r++) {
          for (int c = 0; c < m; c++) {
            double angle = sign * 2 * Math.PI * (((long) r * u + (long) c * v) % m) / m;
            double cs = Math.cos(angle);
            double sn = Math.sin(angle);
            sr += re[r * m + c] * cs - im[r * m + c] * sn;
            si += re[r * m + c] * sn + im[r * m + c] * cs;
          }
        }
        outRe[u * m + v] = sr;
        outIm[u * m + v] = si;
      }
    }
    return new double[][] {outRe, outIm};
  }

  @Test
  void forwardAndInverseMatchTheDefinitionForSizesOfTwosAndThrees() {
    // 2, 3 and 4 alone; 4 and 2 and 3 mixed; and sizes beyond one strip of lanes.
    for (int m : new int[] {2, 3, 4, 6, 8, 12, 18, 24, 27, 36, 48, 54}) {
      Random random = new Random(m);
      int nonzeroRows = Math.max(1, m / 2);
      float[] re = new float[m * m];
      float[] im = new float[m * m];
      for (int g = 0; g < nonzeroRows * m; g++) {
        re[g] = (float) random.nextGaussian();
        im[g] = (float) random.nextGaussian();
      }
      double[][] forward = naive(re, im, m, -1);
      double[][] inverse = naive(re, im, m, +1);
      Fft fft = new Fft(m);
      float[] fr = re.clone();
      float[] fi = im.clone();
      fft.forward(fr, fi, nonzeroRows);
      // Single precision: the error grows like log m times the rounding of the inputs' norm (about m here).
      double tolerance = 1e-5 * m;
      for (int g = 0; g < m * m; g++) {
        assertEquals(forward[0][g], fr[g], tolerance, "forward re, m " + m + " at " + g);
        assertEquals(forward[1][g], fi[g], tolerance, "forward im, m " + m + " at " + g);
      }
      float[] ir = re.clone();
      float[] ii = im.clone();
      int neededRows = Math.max(1, m / 3);
      fft.inverseUnscaled(ir, ii, neededRows);
      for (int g = 0; g < neededRows * m; g++) {
        assertEquals(inverse[0][g], ir[g], tolerance, "inverse re, m " + m + " at " + g);
        assertEquals(inverse[1][g], ii[g], tolerance, "inverse im, m " + m + " at " + g);
      }
    }
  }

  @Test
  void fastSizesHaveOnlyTwosAndThrees() {
    assertEquals(2, Fft.fastSizeAtLeast(1));
    assertEquals(324, Fft.fastSizeAtLeast(299));
    assertEquals(972, Fft.fastSizeAtLeast(899));
    assertEquals(1024, Fft.fastSizeAtLeast(973));
    assertTrue(Fft.isFastSize(2 * 2 * 3 * 3 * 3));
    assertFalse(Fft.isFastSize(900));
  }
}
