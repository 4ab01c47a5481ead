package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrayPoolTest {
  @Test
  void aStepGetsBackTheArraysOfTheLastStepOfTheSameLengths() {
    ArrayPool pool = new ArrayPool();
    float[] a = pool.take(10);
    float[] b = pool.take(10);
    float[] c = pool.take(7);
    assertEquals(10, a.length);
    assertNotSame(a, b, "an array is lent once until it is taken back");
    pool.recycle();
    float[] c2 = pool.take(7);
    float[] ab1 = pool.take(10);
    float[] ab2 = pool.take(10);
    assertSame(c, c2);
    assertTrue(ab1 == a && ab2 == b || ab1 == b && ab2 == a, "the two arrays of 10, each once");
    assertNotSame(a, pool.take(10), "a third array of 10: the pool had two");
  }

  @Test
  void arraysAStepDidNotNeedAreLetGo() {
    ArrayPool pool = new ArrayPool();
    float[] small = pool.take(96);
    pool.recycle();
    pool.take(128); // a step of other sizes: the array of 96 stays free but unused
    pool.recycle();
    assertNotSame(small, pool.take(96));
  }

  @Test
  void contextsWithoutAPoolGiveNewZeroedArrays() {
    float[] a = ExecutionContext.training().outputArray(4);
    assertEquals(4, a.length);
    assertEquals(0f, a[3]);
    assertNotSame(a, ExecutionContext.training().outputArray(4));
  }
}
