package org.convscope.explain;

/** The form of an explanation map, which decides how it is shown and compared. */
public enum MapKind {
  /** The input's shape (N,C,H,W); signed, unnormalized. */
  INPUT(true),
  /** A class activation map (N,h,w) at a layer's resolution; non-negative, unnormalized. */
  LAYER(false),
  /** One value per input pixel (N,H,W); signed. */
  PIXELS(true);

  private final boolean signed;

  MapKind(boolean signed) {
    this.signed = signed;
  }

  /** Whether the map's values can be negative, so a picture of it needs a diverging colour scale. */
  public boolean signed() {
    return signed;
  }
}
