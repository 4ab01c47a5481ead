package org.convscope.engine.dnnl;

import java.util.Arrays;

/**
 * Staging for primitives that run in the layout their main input comes in (batch norm, pooling backward): an
 * argument given held or as row-major values is bound in a chosen layout, converted only when it differs; an
 * output is left held or read back row-major.
 */
final class HeldOrValues {
  private HeldOrValues() {}

  /**
   * Binds argument {@code arg} in layout {@code md}: {@code held} as it is when it has that layout, else
   * converted into the workspace buffer named {@code slot}; or row-major {@code values} written there.
   */
  static void bind(Workspace workspace, ExecArgs args, int arg, MemoryDesc md, BlockedTensor held, float[] values,
      String slot) {
    args.add(arg, md, staged(workspace, md, held, values, slot));
  }

  /**
   * The memory that holds {@code held}, or {@code values}, in layout {@code md}: held's own buffer when it has
   * that layout, else the workspace buffer named {@code slot}, written now: for a value two primitives read.
   */
  static NativeBuffer staged(Workspace workspace, MemoryDesc md, BlockedTensor held, float[] values, String slot) {
    if (held != null && held.layout().sameLayout(md)) return held.buffer();
    NativeBuffer buffer = workspace.buffer(slot, md.bytes());
    if (held != null) {
      held.copyInto(md, buffer);
    } else {
      try (MemoryDesc plain = MemoryDesc.plain(md.dims())) {
        if (plain.sameLayout(md)) {
          buffer.write(values);
        } else {
          NativeBuffer rows = workspace.buffer(slot + ".plain", plain.bytes());
          rows.write(values);
          Reorders.convert(workspace, plain, rows, md, buffer);
        }
      }
    }
    return buffer;
  }

  /** Binds small row-major values (scale, shift, statistics) in the layout the primitive asks for. */
  static void bindValues(Workspace workspace, ExecArgs args, Primitive primitive, int arg, float[] values,
      String slot) {
    MemoryDesc md = primitive.argMd(arg);
    NativeBuffer buffer = workspace.buffer(slot, md.bytes());
    buffer.write(values);
    args.add(arg, md, buffer);
  }

  /** Binds a workspace buffer for output {@code arg} in the layout the primitive asks for, and returns it. */
  static NativeBuffer bindOutput(Workspace workspace, ExecArgs args, Primitive primitive, int arg, String slot) {
    MemoryDesc md = primitive.argMd(arg);
    NativeBuffer buffer = workspace.buffer(slot, md.bytes());
    args.add(arg, md, buffer);
    return buffer;
  }

  /**
   * Executes {@code primitive} with {@code args} and argument {@code arg}, its output, written in layout
   * {@code md}: left held when {@code hold}, else read back row-major (through the workspace buffer named
   * {@code slot}). The first element of the result is the held tensor or null, the second the values or null.
   */
  static Plan.Chained execute(Workspace workspace, Primitive primitive, ExecArgs args, int arg, MemoryDesc md,
      boolean hold, String slot) {
    NativeBuffer out = hold ? workspace.borrow(md.bytes()) : workspace.buffer(slot, md.bytes());
    try {
      args.add(arg, md, out);
      workspace.execute(primitive, args);
      if (!hold) return new Plan.Chained(new float[][] {read(workspace, out, md)}, null);
      Plan.Chained result = new Plan.Chained(new float[][] {null}, held(workspace, out, md));
      out = null;
      return result;
    } finally {
      if (hold && out != null) workspace.giveBack(out);
    }
  }

  /** The borrowed {@code buffer}, written in layout {@code md}, as a held tensor that owns it. */
  static BlockedTensor held(Workspace workspace, NativeBuffer buffer, MemoryDesc md) {
    return new BlockedTensor(workspace, buffer, md.copy(), md.dims());
  }

  /** The values in {@code buffer} (layout {@code md}) row-major, reordered on {@code workspace} if need be. */
  static float[] read(Workspace workspace, NativeBuffer buffer, MemoryDesc md) {
    long[] dims = md.dims();
    float[] values = new float[Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact))];
    try (MemoryDesc plain = MemoryDesc.plain(dims)) {
      if (plain.sameLayout(md)) {
        buffer.read(values);
      } else {
        NativeBuffer target = workspace.buffer("held.plain", plain.bytes());
        Reorders.convert(workspace, md, buffer, plain, target);
        target.read(values);
      }
    }
    return values;
  }
}
