package org.convscope.engine;

import java.util.Collections;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps ONNX op types (default domain) to factories. The standard set lives in
 * {@code org.convscope.engine.ops.StandardOps}; tests and extensions may build their own registry.
 */
public final class OpRegistry {
  private final TreeMap<String, OpFactory> factories = new TreeMap<>();

  public OpRegistry register(String opType, OpFactory factory) {
    if (factories.putIfAbsent(opType, factory) != null) {
      throw new IllegalStateException("op type " + opType + " registered twice");
    }
    return this;
  }

  public boolean supports(String opType) {
    return factories.containsKey(opType);
  }

  public Set<String> opTypes() {
    return Collections.unmodifiableSet(factories.keySet());
  }

  /** Creates the op, or throws {@link InvalidModelException} when the type is unknown or the attributes are bad. */
  public Op create(OpSpec spec) {
    OpFactory factory = factories.get(spec.opType());
    if (factory == null) throw spec.invalid("op type is not supported");
    return factory.create(spec);
  }
}
