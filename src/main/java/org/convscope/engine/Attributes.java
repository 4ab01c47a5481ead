package org.convscope.engine;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * A node's attributes, already decoded from ONNX: values are {@code Long}, {@code Float}, {@code String},
 * {@code long[]}, {@code float[]}, {@code String[]} or {@link Tensor}. Accessors fail with the node's name and
 * what was expected, which is what a user sees when a file is malformed.
 */
public final class Attributes {
  private final String node;
  private final Map<String, Object> values;

  public Attributes(String node, Map<String, Object> values) {
    this.node = node;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static Attributes none(String node) {
    return new Attributes(node, Map.of());
  }

  public String node() {
    return node;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Set<String> names() {
    return values.keySet();
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public long getInt(String name, long fallback) {
    Object v = values.get(name);
    return v == null ? fallback : as(name, v, Long.class);
  }

  public long requireInt(String name) {
    return as(name, require(name), Long.class);
  }

  public float getFloat(String name, float fallback) {
    Object v = values.get(name);
    if (v instanceof Long l) return l;
    return v == null ? fallback : as(name, v, Float.class);
  }

  public String getString(String name, String fallback) {
    Object v = values.get(name);
    return v == null ? fallback : as(name, v, String.class);
  }

  public long[] getInts(String name, long[] fallback) {
    Object v = values.get(name);
    if (v instanceof Long l) return new long[] {l};
    return v == null ? fallback : as(name, v, long[].class).clone();
  }

  public int[] getIntArray(String name, int[] fallback) {
    long[] v = getInts(name, null);
    if (v == null) return fallback;
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) out[i] = Math.toIntExact(v[i]);
    return out;
  }

  public float[] getFloats(String name, float[] fallback) {
    Object v = values.get(name);
    return v == null ? fallback : as(name, v, float[].class).clone();
  }

  public String[] getStrings(String name, String[] fallback) {
    Object v = values.get(name);
    return v == null ? fallback : as(name, v, String[].class).clone();
  }

  public Tensor getTensor(String name) {
    Object v = values.get(name);
    return v == null ? null : as(name, v, Tensor.class);
  }

  private Object require(String name) {
    Object v = values.get(name);
    if (v == null) throw new InvalidModelException("node '" + node + "': required attribute '" + name + "' is missing");
    return v;
  }

  private <T> T as(String name, Object v, Class<T> type) {
    if (!type.isInstance(v)) {
      throw new InvalidModelException("node '" + node + "': attribute '" + name + "' should be "
          + type.getSimpleName() + " but is " + v.getClass().getSimpleName());
    }
    return type.cast(v);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (sb.length() > 1) sb.append(", ");
      Object v = e.getValue();
      String s = v instanceof long[] a ? Arrays.toString(a) : v instanceof float[] f ? Arrays.toString(f) : String.valueOf(v);
      sb.append(e.getKey()).append('=').append(s);
    }
    return sb.append('}').toString();
  }
}
