package org.convscope.tensor;

/** Element types the engine computes with. Other ONNX types are converted on import. */
public enum DType {
  FLOAT,
  INT64
}
