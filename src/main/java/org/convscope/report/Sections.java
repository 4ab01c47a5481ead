package org.convscope.report;

import java.util.List;

/** The sections of the report, in order. Each analysis adds its own here. */
public final class Sections {
  private Sections() {}

  public static List<ReportSection> standard() {
    EmbeddingFeatures embedding = new EmbeddingFeatures();
    return List.of(
        new ModelSection(),
        new EvaluationSection(),
        new PredictionsSection(),
        new FiltersSection(),
        new ActivationsSection(3),
        new HiddenUnitsSection(8, 8),
        new ClassVisualizationSection(64, 10),
        new ExplanationsSection(3),
        new EmbeddingMapSection(embedding),
        new ClassOverlapSection(embedding),
        new NeighborsSection(embedding));
  }
}
