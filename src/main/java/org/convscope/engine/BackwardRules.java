package org.convscope.engine;

import java.util.HashMap;
import java.util.Map;

/** Backward-rule overrides by op type for one backward pass. Immutable; {@link #with} returns a copy. */
public final class BackwardRules {
  public static final BackwardRules DEFAULT = new BackwardRules(Map.of());

  private final Map<String, BackwardRule> byOpType;

  private BackwardRules(Map<String, BackwardRule> byOpType) {
    this.byOpType = Map.copyOf(byOpType);
  }

  /** These rules plus {@code rule} for every node of type {@code opType}. */
  public BackwardRules with(String opType, BackwardRule rule) {
    Map<String, BackwardRule> m = new HashMap<>(byOpType);
    m.put(opType, rule);
    return new BackwardRules(m);
  }

  /** The override for this op type, or null to use the op's own backward pass. */
  public BackwardRule forOpType(String opType) {
    return byOpType.get(opType);
  }

  public boolean isDefault() {
    return byOpType.isEmpty();
  }
}
