package org.convscope.tensor;

import java.io.IOException;

/**
 * A file that cannot be used as asked: wrong format, truncated, or holding the wrong kind of values. The
 * message is one line that starts with the file (or resource) name and says what was expected.
 */
public class FileFormatException extends IOException {
  private final String source;

  /**
   * @param source the file or resource name, as the user gave it
   * @param problem what is wrong and what was expected
   */
  public FileFormatException(String source, String problem) {
    super(source + ": " + problem);
    this.source = source;
  }

  /** The file or resource the problem is in. */
  public String source() {
    return source;
  }
}
