package org.convscope.engine.ops;

/** Logical a and b, element-wise with numpy broadcasting; see {@link Logical}. */
public final class And extends Logical {

  @Override
  boolean combine(boolean a, boolean b) {
    return a && b;
  }
}
