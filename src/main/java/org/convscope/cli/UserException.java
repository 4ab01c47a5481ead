package org.convscope.cli;

/** A mistake in the command line that only the CLI can see, such as options that do not go together. */
final class UserException extends RuntimeException {
  UserException(String message) {
    super(message);
  }
}
