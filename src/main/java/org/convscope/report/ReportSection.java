package org.convscope.report;

import java.io.IOException;

/** One part of the report: writes its files and returns its HTML. */
public interface ReportSection {
  String title();

  /** Writes the section's images and data into the report folder and returns an HTML fragment referring to them. */
  String write(ReportContext context) throws IOException;
}
