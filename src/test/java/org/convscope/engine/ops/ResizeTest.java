package org.convscope.engine.ops;

import static org.convscope.engine.ops.SpatialTesting.assertClose;
import static org.convscope.engine.ops.SpatialTesting.assertShape;
import static org.convscope.engine.ops.SpatialTesting.attrs;
import static org.convscope.engine.ops.SpatialTesting.iota;
import static org.convscope.engine.ops.SpatialTesting.op;
import static org.convscope.engine.ops.SpatialTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ResizeTest {

  private static Tensor scales(float... s) {
    return Tensor.of(s, s.length);
  }

  @Test
  void bilinearTwoByTwoToFourByFourByHand() {
    Op resize = op("Resize", 13, 3, 1, "mode", "linear");
    Tensor y = run(resize, iota(1, 1, 2, 2), null, scales(1, 1, 2, 2))[0];
    assertShape(new int[] {1, 1, 4, 4}, y);
    // half_pixel: output positions sample -0.25, 0.25, 0.75, 1.25, clamped at the edges.
    assertClose(new float[] {
        1, 1.25f, 1.75f, 2,
        1.5f, 1.75f, 2.25f, 2.5f,
        2.5f, 2.75f, 3.25f, 3.5f,
        3, 3.25f, 3.75f, 4}, y.data(), 1e-6);
    Tensor aligned = run(op("Resize", 13, 4, 1, "mode", "linear", "coordinate_transformation_mode", "align_corners"),
        iota(1, 1, 2, 2), null, null, Tensor.vector(1, 1, 4, 4))[0];
    assertClose(new float[] {1, 4 / 3f, 5 / 3f, 2}, Arrays.copyOf(aligned.data(), 4), 1e-6);
    assertClose(new float[] {3, 10 / 3f, 11 / 3f, 4}, Arrays.copyOfRange(aligned.data(), 12, 16), 1e-6);
  }

  @Test
  void nearestBackwardSumsEachBlock() {
    Op resize = op("Resize", 13, 3, 1, "mode", "nearest");
    Tensor x = iota(1, 1, 2, 3);
    Tensor y = run(resize, x, null, scales(1, 1, 2, 2))[0];
    assertClose(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}, y.data(), 0);
    Tensor dx = resize.backward(ExecutionContext.inference(), new Tensor[] {x, null, scales(1, 1, 2, 2)},
        new Tensor[] {y}, new Tensor[] {y}, new boolean[] {true, false, false})[0];
    assertClose(new float[] {4, 8, 12, 16, 20, 24}, dx.data(), 0);
  }

  @Test
  void nearestRoundingModes() {
    // asymmetric upsampling by 4/3 from 3 to 4: source coordinates 0, 0.75, 1.5, 2.25.
    Tensor x = Tensor.of(new float[] {10, 20, 30}, 1, 3);
    Object[][] expected = {
        {"round_prefer_floor", new float[] {10, 20, 20, 30}},
        {"round_prefer_ceil", new float[] {10, 20, 30, 30}},
        {"floor", new float[] {10, 10, 20, 30}},
        {"ceil", new float[] {10, 20, 30, 30}},
    };
    for (Object[] e : expected) {
      Op resize = op("Resize", 13, 4, 1, "mode", "nearest", "coordinate_transformation_mode", "asymmetric",
          "nearest_mode", e[0]);
      assertClose((float[]) e[1], run(resize, x, null, null, Tensor.vector(1, 4))[0].data(), 0);
    }
  }

  @Test
  void backwardIsTheTransposeOfForward() {
    Tensor x = GradCheck.randn(1, 0, 2, 3, 5, 7);
    for (Object[] a : samplingVariants()) {
      Op resize = op("Resize", 19, 4, 1, a);
      Tensor[] inputs = {x, Tensor.of(new float[] {0, 0, 0.1f, 0.2f, 1, 1, 0.8f, 1.1f}, 8), null,
          Tensor.vector(2, 3, 8, 4)};
      Tensor y = resize.forward(ExecutionContext.inference(), inputs)[0];
      Tensor g = GradCheck.randn(2, 0, y.shape());
      Tensor dx = resize.backward(ExecutionContext.inference(), inputs, new Tensor[] {y}, new Tensor[] {g},
          new boolean[] {true, false, false, false})[0];
      // <A x, g> = <x, A^T g>, up to the constant extrapolation value that A x adds.
      Tensor offset = resize.forward(ExecutionContext.inference(),
          new Tensor[] {Tensor.zeros(x.shape()), inputs[1], null, inputs[3]})[0];
      double left = 0;
      for (int i = 0; i < y.size(); i++) left += (double) (y.data()[i] - offset.data()[i]) * g.data()[i];
      double right = 0;
      for (int i = 0; i < x.size(); i++) right += (double) x.data()[i] * dx.data()[i];
      assertEquals(left, right, 1e-4 * Math.max(1, Math.abs(left)), attrs(a).toString());
    }
  }

  @Test
  void gradients() {
    Tensor x = GradCheck.randn(3, 0, 1, 2, 5, 3);
    for (Object[] a : samplingVariants()) {
      Op resize = op("Resize", 19, 4, 1, a);
      Tensor roi = Tensor.of(new float[] {0, 0, -0.1f, 0.2f, 1, 1, 0.9f, 1.2f}, 8);
      GradCheck.check(resize, ExecutionContext.inference(), new Tensor[] {x, roi, scales(1, 1, 1.6f, 2.5f), null},
          new boolean[] {true, false, false, false}, 1e-2, 2e-2);
    }
    GradCheck.check(op("Upsample", 9, 2, 1, "mode", "linear"), ExecutionContext.inference(),
        new Tensor[] {x, scales(1, 1, 2, 3)}, new boolean[] {true, false}, 1e-2, 2e-2);
  }

  private static List<Object[]> samplingVariants() {
    List<Object[]> out = new ArrayList<>();
    for (String coordinates : new String[] {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
        "tf_crop_and_resize", "half_pixel_symmetric"}) {
      out.add(new Object[] {"mode", "linear", "coordinate_transformation_mode", coordinates, "extrapolation_value", 2.0});
      out.add(new Object[] {"mode", "nearest", "coordinate_transformation_mode", coordinates});
      out.add(new Object[] {"mode", "cubic", "coordinate_transformation_mode", coordinates, "exclude_outside", 1});
    }
    return out;
  }

  /** onnxruntime as the reference for modes, coordinate transformations and opsets. */
  @Test
  void matchesOnnxRuntime() {
    Tensor x = GradCheck.randn(4, 0, 1, 2, 5, 6);
    Tensor[] sampleInputs = {
        scales(1, 1, 2, 3), scales(1, 1, 0.75f, 0.5f), scales(1, 1, 1.75f, 0.75f)};
    Tensor[] sizeInputs = {Tensor.vector(1, 2, 9, 4), Tensor.vector(1, 2, 1, 13)};
    List<Object[]> variants = new ArrayList<>();
    for (String coordinates : new String[] {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
        "tf_half_pixel_for_nn"}) {
      for (String nearest : new String[] {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
        variants.add(new Object[] {"mode", "nearest", "coordinate_transformation_mode", coordinates, "nearest_mode", nearest});
      }
      variants.add(new Object[] {"mode", "linear", "coordinate_transformation_mode", coordinates});
      variants.add(new Object[] {"mode", "cubic", "coordinate_transformation_mode", coordinates});
      variants.add(new Object[] {"mode", "cubic", "coordinate_transformation_mode", coordinates, "cubic_coeff_a", -0.5,
          "exclude_outside", 1});
    }
    for (Object[] a : variants) {
      boolean linearNn = a[3].equals("tf_half_pixel_for_nn") && !a[1].equals("nearest");
      if (linearNn) continue; // onnxruntime only defines tf_half_pixel_for_nn for nearest
      int opset = a[3].equals("tf_half_pixel_for_nn") ? 11 : 13; // the mode was dropped from the spec in opset 13
      for (Tensor s : sampleInputs) {
        // With a fractional length * scale, align_corners and tf_crop_and_resize divide by that length minus one in
        // the ONNX reference (whose conformance data we pass) but by the floored output length minus one in
        // onnxruntime.
        if (a[3].equals("align_corners") && !integralLengths(x, s)) continue;
        compare("Resize", opset, a, x, null, s, null);
      }
      for (Tensor z : sizeInputs) compare("Resize", opset, a, x, null, null, z);
    }
    Tensor roi = Tensor.of(new float[] {0, 0, 0.2f, -0.3f, 1, 1, 0.9f, 1.1f}, 8);
    for (String mode : new String[] {"nearest", "linear", "cubic"}) {
      Object[] crop = {"mode", mode, "coordinate_transformation_mode", "tf_crop_and_resize", "extrapolation_value", 7.0};
      compare("Resize", 13, crop, x, roi, null, sizeInputs[0]);
      compare("Resize", 13, crop, x, roi, sampleInputs[0], null);
    }
    // Opset 18 and 19: axes, keep_aspect_ratio_policy, half_pixel_symmetric.
    compare("Resize", 18, new Object[] {"mode", "linear", "axes", new int[] {3, 2}}, x, null, scales(1.5f, 0.7f), null);
    for (String policy : new String[] {"not_larger", "not_smaller"}) {
      compare("Resize", 18, new Object[] {"mode", "linear", "axes", new int[] {2, 3}, "keep_aspect_ratio_policy", policy},
          x, null, null, Tensor.vector(8, 9));
    }
    compare("Resize", 19, new Object[] {"mode", "linear", "coordinate_transformation_mode", "half_pixel_symmetric"},
        x, null, sampleInputs[2], null);
    // Opset 10 Resize and Upsample: asymmetric coordinates, nearest rounding down when upsampling, up when downsampling.
    for (String mode : new String[] {"nearest", "linear"}) {
      for (Tensor s : sampleInputs) {
        compareLegacy("Resize", 10, mode, x, s);
        if (s.data()[2] >= 1 && s.data()[3] >= 1) compareLegacy("Upsample", 9, mode, x, s);
      }
      Tensor ours = run(op("Upsample", 7, 1, 1, "mode", mode, "scales", new float[] {1, 1, 2.5f, 1.5f}), x)[0];
      Tensor theirs = OnnxRuntimeReference.run("Upsample", 7, attrs("mode", mode, "scales", new float[] {1, 1, 2.5f, 1.5f}),
          new Tensor[] {x}, DType.FLOAT)[0];
      assertShape(theirs.shape(), ours);
      assertClose(theirs.data(), ours.data(), 1e-5);
    }
  }

  private static boolean integralLengths(Tensor x, Tensor scales) {
    for (int i = 0; i < x.rank(); i++) {
      double length = x.dim(i) * (double) scales.data()[i];
      if (length != Math.floor(length)) return false;
    }
    return true;
  }

  private static void compare(String type, int opset, Object[] a, Tensor x, Tensor roi, Tensor scales, Tensor sizes) {
    if (opset < 13) {
      // Opsets 11 and 12 require roi and scales, empty when unused.
      roi = roi != null ? roi : Tensor.of(new float[0], 0);
      scales = scales != null ? scales : Tensor.of(new float[0], 0);
    }
    Tensor[] inputs = sizes == null ? new Tensor[] {x, roi, scales} : new Tensor[] {x, roi, scales, sizes};
    Tensor ours = run(op(type, opset, inputs.length, 1, a), inputs)[0];
    Tensor theirs = OnnxRuntimeReference.run(type, opset, attrs(a), inputs, DType.FLOAT)[0];
    String what = attrs(a) + " scales " + (scales == null ? "-" : Arrays.toString(scales.data()))
        + " sizes " + (sizes == null ? "-" : Arrays.toString(sizes.longs()));
    assertEquals(Arrays.toString(theirs.shape()), Arrays.toString(ours.shape()), what);
    try {
      assertClose(theirs.data(), ours.data(), 1e-5);
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  private static void compareLegacy(String type, int opset, String mode, Tensor x, Tensor scales) {
    Tensor ours = run(op(type, opset, 2, 1, "mode", mode), x, scales)[0];
    Tensor theirs = OnnxRuntimeReference.run(type, opset, attrs("mode", mode), new Tensor[] {x, scales}, DType.FLOAT)[0];
    String what = type + "-" + opset + " " + mode + " " + Arrays.toString(scales.data());
    assertEquals(Arrays.toString(theirs.shape()), Arrays.toString(ours.shape()), what);
    try {
      assertClose(theirs.data(), ours.data(), 1e-5);
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  @Test
  void unsupportedOrMalformedNodesFail() {
    assertThrows(InvalidModelException.class, () -> op("Resize", 18, 3, 1, "mode", "linear", "antialias", 1));
    assertThrows(InvalidModelException.class, () -> op("Resize", 13, 3, 1, "mode", "bilinear"));
    assertThrows(InvalidModelException.class, () -> op("Resize", 13, 3, 1, "coordinate_transformation_mode", "center"));
    assertThrows(InvalidModelException.class, () -> op("Resize", 13, 3, 1, "nearest_mode", "legacy"));
    assertThrows(InvalidModelException.class, () -> op("Upsample", 7, 1, 1, "mode", "nearest"));
    Op resize = op("Resize", 13, 4, 1);
    assertThrows(IllegalArgumentException.class,
        () -> run(resize, iota(1, 1, 2, 2), null, scales(1, 1, 2, 2), Tensor.vector(1, 1, 4, 4)));
    assertThrows(IllegalArgumentException.class, () -> run(resize, iota(1, 1, 2, 2), null, scales(2, 2)));
  }
}
