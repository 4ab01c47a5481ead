package org.convscope.engine.ops;

/** Logical a xor b, element-wise with numpy broadcasting; see {@link Logical}. */
public final class Xor extends Logical {

  @Override
  boolean combine(boolean a, boolean b) {
    return a != b;
  }
}
