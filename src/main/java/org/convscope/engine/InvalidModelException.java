package org.convscope.engine;

/** A model that cannot be run as given: bad attributes, unsupported ops, inconsistent shapes. */
public class InvalidModelException extends RuntimeException {
  public InvalidModelException(String message) {
    super(message);
  }

  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
