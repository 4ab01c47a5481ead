package org.convscope.engine.dnnl;

/**
 * One argument of a {@link Plan}: the row-major layout in which a {@link org.convscope.tensor.Tensor} holds
 * it, the layout the primitive chose, and the reorder between the two (none when they are the same).
 */
final class Operand implements AutoCloseable {
  final int arg;
  final MemoryDesc plain;
  final MemoryDesc internal;
  private final Primitive reorder;
  private final String slot;

  private final boolean isInput;

  private Operand(int arg, MemoryDesc plain, MemoryDesc internal, Primitive reorder, boolean isInput) {
    this.isInput = isInput;
    this.arg = arg;
    this.plain = plain;
    this.internal = internal;
    this.reorder = reorder;
    this.slot = "arg" + arg;
  }

  /** An argument the primitive reads; owns {@code plain} once created (the caller closes it on failure). */
  static Operand input(int arg, MemoryDesc plain, Primitive primitive) {
    MemoryDesc internal = primitive.argMd(arg);
    return new Operand(arg, plain, internal, plain.sameLayout(internal) ? null : Primitive.reorder(plain, internal), true);
  }

  /** An argument the primitive writes; owns {@code plain} once created (the caller closes it on failure). */
  static Operand output(int arg, MemoryDesc plain, Primitive primitive) {
    MemoryDesc internal = primitive.argMd(arg);
    return new Operand(arg, plain, internal, plain.sameLayout(internal) ? null : Primitive.reorder(internal, plain), false);
  }

  /** This thread's buffer for the argument in the primitive's layout, reused by every execution of the plan. */
  NativeBuffer stagingBuffer(Workspace workspace) {
    return workspace.buffer(slot, internal.bytes());
  }

  /** Copies {@code values} into the workspace in the primitive's layout and adds the argument. */
  void stageIn(Workspace workspace, float[] values, ExecArgs args) {
    NativeBuffer internalBuffer = stagingBuffer(workspace);
    writeInternal(workspace, values, internalBuffer);
    args.add(arg, internal, internalBuffer);
  }

  /**
   * Writes row-major {@code values} into {@code target} in the primitive's layout. An output operand's own
   * reorder goes the other way, so its values go through the shared {@link Reorders}.
   */
  void writeInternal(Workspace workspace, float[] values, NativeBuffer target) {
    if (reorder == null) {
      target.write(values);
      return;
    }
    NativeBuffer plainBuffer = workspace.buffer(slot + ".plain", plain.bytes());
    plainBuffer.write(values);
    if (isInput) {
      workspace.reorder(reorder, plain, plainBuffer, internal, target);
    } else {
      Reorders.convert(workspace, plain, plainBuffer, internal, target);
    }
  }

  /** Adds the argument over a workspace buffer for the primitive to write, and returns that buffer. */
  NativeBuffer bindOut(Workspace workspace, ExecArgs args) {
    NativeBuffer internalBuffer = workspace.buffer(slot, internal.bytes());
    args.add(arg, internal, internalBuffer);
    return internalBuffer;
  }

  /**
   * After execution: the primitive's result in {@code internalBuffer}, row-major in {@code into} (written in full)
   * or, when that is null, in a new array.
   */
  float[] readOut(Workspace workspace, NativeBuffer internalBuffer, float[] into) {
    int size = Math.toIntExact(plain.bytes() / Float.BYTES);
    if (into != null && into.length != size) {
      throw new IllegalArgumentException("an array of " + into.length + " floats for an output of " + size);
    }
    float[] values = into != null ? into : new float[size];
    if (reorder == null) {
      internalBuffer.read(values);
    } else {
      NativeBuffer plainBuffer = workspace.buffer(slot + ".plain", plain.bytes());
      workspace.reorder(reorder, internal, internalBuffer, plain, plainBuffer);
      plainBuffer.read(values);
    }
    return values;
  }

  @Override
  public void close() {
    if (reorder != null) reorder.close();
    plain.close();
  }
}
