package org.convscope.engine.dnnl;

/** A oneDNN call failed; the message says which call, on what, and oneDNN's status. */
public final class DnnlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DnnlException(String message) {
    super(message);
  }
}
