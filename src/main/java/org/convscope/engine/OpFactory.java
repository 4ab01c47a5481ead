package org.convscope.engine;

/** Builds the op for a node, checking its attributes so that a bad file fails at load, not at run. */
@FunctionalInterface
public interface OpFactory {
  Op create(OpSpec spec);
}
