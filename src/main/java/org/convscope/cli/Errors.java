package org.convscope.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.InvalidModelException;

/** Turns exceptions into the one-line messages users see. */
final class Errors {
  private Errors() {}

  static boolean isUserError(Throwable e) {
    Throwable t = unwrap(e);
    return t instanceof InvalidModelException || t instanceof InvalidInputException || t instanceof IOException
        || t instanceof IllegalArgumentException || t instanceof UserException;
  }

  static String message(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof NoSuchFileException n) return n.getFile() + ": no such file";
    if (t instanceof AccessDeniedException a) return a.getFile() + ": permission denied";
    String m = t.getMessage();
    if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
    if (!isUserError(t)) m = "internal error (" + t.getClass().getSimpleName() + "): " + m + " (run with --verbose for details)";
    return m.replace('\n', ' ');
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof UncheckedIOException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
