/**
 * The static report: one self-contained HTML page beside its images and raw {@code .npy} files, opened from
 * disk. Each analysis contributes a {@link org.convscope.report.ReportSection}; {@code convscope demo} is this
 * report for the shipped model and data, and {@code convscope report} for the user's own. The figures several
 * adapters draw ({@link org.convscope.report.ExplanationPictures}, {@link org.convscope.report.UnitPictures}) live
 * here too, so that the command line, the report and the web explorer show the same pictures.
 */
package org.convscope.report;
