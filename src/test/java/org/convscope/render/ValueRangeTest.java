package org.convscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ValueRangeTest {
  @Test
  void minMaxSkipsNonFiniteValues() {
    ValueRange r = ValueRange.minMax(new float[] {3, Float.NaN, -1, Float.POSITIVE_INFINITY, 5});
    assertEquals(new ValueRange(-1, 5), r);
    assertEquals(0, r.fraction(-1));
    assertEquals(0.5, r.fraction(2));
    assertEquals(1, r.fraction(5));
    assertEquals(1, r.fraction(9), "clamped above");
    assertEquals(0, r.fraction(-9), "clamped below");
  }

  @Test
  void symmetricKeepsZeroInTheMiddle() {
    ValueRange r = ValueRange.symmetric(new float[] {-0.5f, 2, 1});
    assertEquals(new ValueRange(-2, 2), r);
    assertEquals(0.5, r.fraction(0));
    assertEquals(0.375, r.fraction(-0.5));
    assertEquals(0.5, ValueRange.symmetric(new float[] {0, 0}).fraction(0), "an all-zero map is the middle colour");
  }

  @Test
  void percentilesInterpolateLikeNumPy() {
    float[] values = new float[101];
    for (int i = 0; i <= 100; i++) values[i] = i;
    values[100] = 1000; // an outlier the 99th percentile ignores
    assertEquals(new ValueRange(0, 99), ValueRange.percentile(values, 99));
    // np.percentile([1, 2, 3, 4], 50) == 2.5
    assertEquals(2.5, ValueRange.percentile(new float[] {4, 1, 3, 2}, 50).max(), 1e-12);
    // magnitudes 1, 2, 3, 4: the 75th percentile sits a quarter of the way from 3 to 4
    assertEquals(new ValueRange(-3.25, 3.25), ValueRange.symmetricPercentile(new float[] {-4, 1, 3, -2}, 75));
    assertThrows(IllegalArgumentException.class, () -> Normalization.percentile(101));
  }

  @Test
  void constantMapsShowTheLowColour() {
    ValueRange r = ValueRange.minMax(new float[] {2, 2, 2});
    assertEquals(0, r.fraction(2));
    assertEquals(1, r.fraction(3));
    assertEquals(new ValueRange(0, 0), ValueRange.minMax(new float[] {Float.NaN}));
  }

  @Test
  void fixedIgnoresTheValues() {
    assertEquals(new ValueRange(0, 1), Normalization.fixed(0, 1).rangeOf(new float[] {5, 6}));
    assertThrows(IllegalArgumentException.class, () -> new ValueRange(2, 1));
  }
}
