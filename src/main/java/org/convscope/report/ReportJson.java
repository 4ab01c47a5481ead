package org.convscope.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convscope.tensor.AtomicFiles;

/** Raw results as JSON beside a section's pictures, so that readers and tests can use the values. */
final class ReportJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  /** Writes {@code value} (maps, lists, records of numbers and strings) into the report; returns the relative path. */
  static String write(ReportContext c, String name, Object value) throws IOException {
    Path file = c.dir().resolve(name);
    Files.createDirectories(file.getParent());
    byte[] bytes = MAPPER.writeValueAsBytes(value);
    AtomicFiles.write(file, out -> out.write(bytes));
    return name;
  }
}
