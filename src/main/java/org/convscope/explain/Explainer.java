package org.convscope.explain;

/** One explanation method. Implementations are immutable; their options are fixed when they are made. */
public interface Explainer {
  /** The method's registry name, such as {@code gradcam}. */
  String name();

  /** The form of the maps it returns. */
  MapKind kind();

  /**
   * Whether it reads the query's layer: every method whose maps live at a layer (the class activation maps), and
   * Guided Grad-CAM, which overrides this.
   */
  default boolean usesLayer() {
    return kind() == MapKind.LAYER;
  }

  /** Explains each item of the query for its target class. */
  Attribution explain(Query query);
}
