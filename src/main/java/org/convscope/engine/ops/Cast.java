package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * Cast to the engine's two element types, float32 and int64, and to bool, which the engine holds as int64 0
 * and 1 (as the importer does); any other target is rejected at load, since the engine could not hold the
 * result. Casting to int64 truncates toward zero and is shape arithmetic, so it carries no gradient, nor does
 * casting to bool; casting to float passes the gradient of a float input through.
 */
public final class Cast {
  /** ONNX TensorProto.DataType codes of the supported targets. */
  private static final int FLOAT = 1;
  private static final int INT64 = 7;
  private static final int BOOL = 9;

  /** ONNX data type names by code, for messages. */
  private static final String[] TYPE_NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
      "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};

  private Cast() {}

  static Op fromSpec(OpSpec spec) {
    long to = spec.attributes().requireInt("to");
    if (to == FLOAT) return new ToFloat();
    if (to == INT64) return new ToInt64();
    if (to == BOOL) return new ToBool();
    String name = to >= 0 && to < TYPE_NAMES.length ? TYPE_NAMES[(int) to] : "type " + to;
    throw spec.invalid("casting to " + name + " is not supported: ConvScope computes in FLOAT and INT64 only");
  }

  /** Cast to float32. */
  public static final class ToFloat implements Op {
    @Override
    public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
      Tensor x = inputs[0];
      return new Tensor[] {x.isFloat() ? x : Tensor.of(x.toFloats(), x.shape())};
    }

    @Override
    public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
        boolean[] needed) {
      return new Tensor[] {needed[0] ? outputGrads[0] : null};
    }
  }

  /** Cast to int64, truncating floats toward zero. */
  public static final class ToInt64 implements NonDifferentiable {
    @Override
    public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
      Tensor x = inputs[0];
      return new Tensor[] {x.isFloat() ? Tensor.ofLongs(x.toLongs(), x.shape()) : x};
    }
  }

  /** Cast to bool, held as int64: 1 for every non-zero value (NaN included), else 0. */
  public static final class ToBool implements NonDifferentiable {
    @Override
    public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
      Tensor x = inputs[0];
      long[] out = new long[x.size()];
      if (x.isFloat()) {
        float[] v = x.data();
        for (int i = 0; i < out.length; i++) out[i] = v[i] != 0 ? 1 : 0;
      } else {
        long[] v = x.longs();
        for (int i = 0; i < out.length; i++) out[i] = v[i] != 0 ? 1 : 0;
      }
      return new Tensor[] {Tensor.ofLongs(out, x.shape())};
    }
  }
}
