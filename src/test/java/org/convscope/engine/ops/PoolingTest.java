package org.convscope.engine.ops;

import static org.convscope.engine.ops.SpatialTesting.assertClose;
import static org.convscope.engine.ops.SpatialTesting.assertShape;
import static org.convscope.engine.ops.SpatialTesting.attrs;
import static org.convscope.engine.ops.SpatialTesting.distinct;
import static org.convscope.engine.ops.SpatialTesting.iota;
import static org.convscope.engine.ops.SpatialTesting.op;
import static org.convscope.engine.ops.SpatialTesting.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PoolingTest {
  private static final float[] FOUR_BY_FOUR = {
      1, 5, 2, 0,
      3, 4, 9, 1,
      7, 0, 6, 8,
      2, 2, 5, 3};

  @Test
  void maxPoolByHand() {
    Op pool = op("MaxPool", 12, 1, 2, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
    Tensor x = Tensor.of(FOUR_BY_FOUR.clone(), 1, 1, 4, 4);
    Tensor[] y = run(pool, x);
    assertArrayEquals(new float[] {5, 9, 7, 8}, y[0].data());
    assertArrayEquals(new long[] {1, 6, 8, 11}, y[1].longs());
    Tensor[] grads = pool.backward(ExecutionContext.inference(), new Tensor[] {x}, y,
        new Tensor[] {Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), Tensor.zeros(DType.INT64, 1, 1, 2, 2)},
        new boolean[] {true});
    assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 4, 0, 0, 0, 0}, grads[0].data());
  }

  @Test
  void maxPoolKeepsEightBitInputsAsIntegers() {
    long[] values = new long[16];
    for (int i = 0; i < 16; i++) values[i] = (long) FOUR_BY_FOUR[i] * 20;
    Tensor y = run(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}),
        Tensor.ofLongs(values, 1, 1, 4, 4))[0];
    assertArrayEquals(new long[] {100, 180, 140, 160}, y.longs());
  }

  @Test
  void maxPoolIndicesInColumnMajorOrderCountBatchAndChannels() {
    Op pool = op("MaxPool", 12, 1, 2, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
        "storage_order", 1);
    float[] two = new float[32];
    System.arraycopy(FOUR_BY_FOUR, 0, two, 0, 16);
    System.arraycopy(FOUR_BY_FOUR, 0, two, 16, 16);
    Tensor[] y = run(pool, Tensor.of(two, 1, 2, 4, 4));
    // (h, w) becomes h + 4 w, plus 16 for the second channel.
    assertArrayEquals(new long[] {4, 9, 2, 14, 20, 25, 18, 30}, y[1].longs());
  }

  @Test
  void maxPoolWithPaddingByHand() {
    Op pool = op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1});
    Tensor y = run(pool, iota(1, 1, 4, 4))[0];
    float[] expected = new float[16];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) expected[i * 4 + j] = Math.min(i + 1, 3) * 4 + Math.min(j + 1, 3) + 1;
    }
    assertArrayEquals(expected, y.data());
  }

  @Test
  void ceilModeAddsAWindowThatStartsInsideTheInput() {
    Tensor x = Tensor.of(new float[] {1, 3, 2, 5, 4}, 1, 1, 5);
    assertArrayEquals(new float[] {3, 5, 4},
        run(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2}, "strides", new int[] {2}, "ceil_mode", 1), x)[0].data());
    assertArrayEquals(new float[] {3, 5},
        run(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2}, "strides", new int[] {2}), x)[0].data());
  }

  @Test
  void averagePoolCountsPaddingOnlyWhenAsked() {
    Tensor x = iota(1, 1, 3, 3);
    Object[] common = {"kernel_shape", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}};
    Tensor exclude = run(op("AveragePool", 11, 1, 1, common), x)[0];
    Tensor include = run(op("AveragePool", 11, 1, 1, append(common, "count_include_pad", 1)), x)[0];
    assertShape(new int[] {1, 1, 4, 4}, exclude);
    assertClose(new float[] {1, 1.5f, 2.5f, 3, 2.5f, 3, 4, 4.5f, 5.5f, 6, 7, 7.5f, 7, 7.5f, 8.5f, 9}, exclude.data(), 1e-6);
    assertClose(new float[] {0.25f, 0.75f, 1.25f, 0.75f, 1.25f, 3, 4, 2.25f, 2.75f, 6, 7, 3.75f, 1.75f, 3.75f,
        4.25f, 2.25f}, include.data(), 1e-6);
  }

  @Test
  void ceilModeAverageDoesNotCountTheOverhangPastThePadding() {
    Tensor x = iota(1, 1, 6);
    Object[] common = {"kernel_shape", new int[] {3}, "strides", new int[] {3}, "pads", new int[] {1, 1}, "ceil_mode", 1};
    // Windows [-1, 1], [2, 4], [5, 7]: the last covers x[5] = 6, one padding cell and one cell past it.
    assertClose(new float[] {1.5f, 4, 6}, run(op("AveragePool", 11, 1, 1, common), x)[0].data(), 1e-6);
    assertClose(new float[] {1, 4, 3},
        run(op("AveragePool", 11, 1, 1, append(common, "count_include_pad", 1)), x)[0].data(), 1e-6);
  }

  @Test
  void sameAutoPadKeepsCeilOfSizeOverStride() {
    Tensor x = distinct(3, 1, 2, 7, 6);
    for (String mode : new String[] {"SAME_UPPER", "SAME_LOWER"}) {
      Tensor y = run(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 2},
          "auto_pad", mode), x)[0];
      assertShape(new int[] {1, 2, 4, 3}, y);
    }
    Tensor valid = run(op("AveragePool", 11, 1, 1, "kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 2},
        "auto_pad", "VALID"), x)[0];
    assertShape(new int[] {1, 2, 3, 3}, valid);
  }

  @Test
  void globalPoolsByHand() {
    Tensor x = Tensor.of(new float[] {1, 4, 2, 3, -1, -5, -2, -3}, 1, 2, 2, 2);
    Tensor avg = run(op("GlobalAveragePool", 13, 1, 1), x)[0];
    Tensor max = run(op("GlobalMaxPool", 13, 1, 1), x)[0];
    assertShape(new int[] {1, 2, 1, 1}, avg);
    assertArrayEquals(new float[] {2.5f, -2.75f}, avg.data());
    assertArrayEquals(new float[] {4, -1}, max.data());
    Tensor g = Tensor.of(new float[] {4, 8}, 1, 2, 1, 1);
    boolean[] need = {true};
    assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2}, op("GlobalAveragePool", 13, 1, 1)
        .backward(ExecutionContext.inference(), new Tensor[] {x}, new Tensor[] {avg}, new Tensor[] {g}, need)[0].data());
    assertArrayEquals(new float[] {0, 4, 0, 0, 8, 0, 0, 0}, op("GlobalMaxPool", 13, 1, 1)
        .backward(ExecutionContext.inference(), new Tensor[] {x}, new Tensor[] {max}, new Tensor[] {g}, need)[0].data());
  }

  @Test
  void maxPoolGradients() {
    GradCheck.check(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2}),
        distinct(1, 2, 3, 7, 9));
    GradCheck.check(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 3},
        "pads", new int[] {1, 0, 2, 1}, "ceil_mode", 1), distinct(2, 1, 2, 8, 7));
    GradCheck.check(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 3}, "dilations", new int[] {2, 2},
        "pads", new int[] {1, 1, 1, 1}), distinct(3, 1, 3, 9, 8));
    GradCheck.check(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {3}, "strides", new int[] {2},
        "auto_pad", "SAME_LOWER"), distinct(4, 2, 2, 11));
    GradCheck.check(op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 3, 2}, "strides", new int[] {2, 2, 1},
        "ceil_mode", 1), distinct(5, 1, 2, 5, 6, 3));
  }

  @Test
  void averagePoolGradients() {
    for (int include = 0; include <= 1; include++) {
      GradCheck.check(op("AveragePool", 19, 1, 1, "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
          "pads", new int[] {1, 2, 2, 1}, "ceil_mode", 1, "count_include_pad", include), GradCheck.randn(6, 0, 2, 3, 8, 9));
      GradCheck.check(op("AveragePool", 19, 1, 1, "kernel_shape", new int[] {2, 2}, "dilations", new int[] {2, 3},
          "pads", new int[] {1, 1, 0, 1}, "count_include_pad", include), GradCheck.randn(7, 0, 1, 2, 7, 9));
      GradCheck.check(op("AveragePool", 19, 1, 1, "kernel_shape", new int[] {4}, "strides", new int[] {3},
          "auto_pad", "SAME_UPPER", "count_include_pad", include), GradCheck.randn(8, 0, 2, 2, 13));
      GradCheck.check(op("AveragePool", 19, 1, 1, "kernel_shape", new int[] {2, 2, 3}, "pads", new int[] {1, 0, 1, 0, 1, 2},
          "count_include_pad", include), GradCheck.randn(9, 0, 1, 1, 3, 4, 5));
    }
  }

  @Test
  void globalPoolGradients() {
    GradCheck.check(op("GlobalAveragePool", 13, 1, 1), GradCheck.randn(10, 0, 2, 3, 5, 7));
    GradCheck.check(op("GlobalMaxPool", 13, 1, 1), distinct(11, 2, 3, 5, 7));
    GradCheck.check(op("GlobalMaxPool", 13, 1, 1), distinct(12, 2, 3, 3, 2, 3));
  }

  @Test
  void badAttributesFailAtLoadNamingTheNode() {
    InvalidModelException missing = assertThrows(InvalidModelException.class, () -> op("MaxPool", 12, 1, 1));
    assertTrue(missing.getMessage().contains("node"), missing.getMessage());
    assertThrows(InvalidModelException.class,
        () -> op("AveragePool", 11, 1, 1, "kernel_shape", new int[] {2, 2}, "pads", new int[] {2, 0, 0, 0}));
    assertThrows(InvalidModelException.class,
        () -> op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2}));
    assertThrows(InvalidModelException.class,
        () -> op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 2}, "auto_pad", "SAME"));
    assertThrows(InvalidModelException.class,
        () -> op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 2, 2, 2}));
  }

  /** Random configurations against onnxruntime, forward values only (gradients are checked above). */
  @Test
  void matchesOnnxRuntime() {
    Object[][] configs = {
        {"kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2}, "ceil_mode", 1},
        {"kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}, "ceil_mode", 1},
        {"kernel_shape", new int[] {2, 3}, "strides", new int[] {3, 2}, "pads", new int[] {1, 2, 0, 1}, "ceil_mode", 1},
        {"kernel_shape", new int[] {3, 2}, "dilations", new int[] {2, 3}, "strides", new int[] {1, 2}},
        {"kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2}, "auto_pad", "SAME_UPPER"},
        {"kernel_shape", new int[] {4, 3}, "strides", new int[] {3, 2}, "auto_pad", "SAME_LOWER"},
        {"kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 1}, "auto_pad", "VALID"},
    };
    Tensor x = GradCheck.randn(13, 0, 2, 3, 9, 10);
    for (Object[] config : configs) {
      Map<String, Object> attributes = attrs(config);
      Tensor ours = run(op("MaxPool", 12, 1, 1, config), x)[0];
      Tensor theirs = OnnxRuntimeReference.run("MaxPool", 12, attributes, new Tensor[] {x}, DType.FLOAT)[0];
      assertShape(theirs.shape(), ours);
      assertClose(theirs.data(), ours.data(), 0);
      for (int include = 0; include <= 1; include++) {
        Object[] avg = append(config, "count_include_pad", include);
        Tensor a = run(op("AveragePool", 19, 1, 1, avg), x)[0];
        Tensor b = OnnxRuntimeReference.run("AveragePool", 19, attrs(avg), new Tensor[] {x}, DType.FLOAT)[0];
        assertShape(b.shape(), a);
        assertClose(b.data(), a.data(), 1e-5);
      }
    }
  }

  private static Object[] append(Object[] pairs, Object... more) {
    Object[] out = new Object[pairs.length + more.length];
    System.arraycopy(pairs, 0, out, 0, pairs.length);
    System.arraycopy(more, 0, out, pairs.length, more.length);
    return out;
  }
}
