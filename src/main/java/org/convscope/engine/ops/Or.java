package org.convscope.engine.ops;

/** Logical a or b, element-wise with numpy broadcasting; see {@link Logical}. */
public final class Or extends Logical {

  @Override
  boolean combine(boolean a, boolean b) {
    return a || b;
  }
}
