package org.convscope.engine;

/** Input that does not fit the network: wrong shape, wrong channel count, unknown tensor or layer name. */
public class InvalidInputException extends RuntimeException {
  public InvalidInputException(String message) {
    super(message);
  }
}
