/**
 * The static report: one self-contained HTML page beside its images and raw {@code .npy} files, opened from
 * disk. Each analysis contributes a {@link org.convscope.report.ReportSection}; {@code convscope demo} is this
 * report for the shipped model and data, and {@code convscope report} for the user's own.
 */
package org.convscope.report;
