package org.convscope.engine.dnnl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.convscope.tensor.Tensor;

/**
 * A primitive ready to run on row-major Java arrays: inputs are copied into native memory and reordered into
 * the layouts the primitive chose, a parameter tensor comes from the {@link WeightCache}, and outputs are
 * reordered back to row-major. A plan is immutable and may run on several threads at once, each with its
 * own {@link Workspace}.
 *
 * <p>{@link #runChained} keeps an activation in the primitive's layout between consecutive oneDNN ops, which
 * skips both copies and both reorders, and can add a tensor to the output as it is written.
 */
public final class Plan implements AutoCloseable {
  private final Primitive main;
  private final List<Operand> inputs;
  private final Operand weights;
  private final List<Operand> outputs;

  private Plan(Primitive main, List<Operand> inputs, Operand weights, List<Operand> outputs) {
    this.main = main;
    this.inputs = inputs;
    this.weights = weights;
    this.outputs = outputs;
  }

  /** Starts a plan around {@code main}, which the plan then owns. */
  public static Builder builder(Primitive main) {
    return new Builder(main);
  }

  /**
   * Runs the primitive on this thread's {@code workspace}.
   *
   * @param weightTensor the tensor for the planned weights argument, or null when the plan has none
   * @param inputValues row-major values of the planned inputs, in the order they were added
   * @return row-major values of the planned outputs, in the order they were added
   */
  public float[][] run(Workspace workspace, Tensor weightTensor, float[]... inputValues) {
    return runChained(workspace, weightTensor, null, null, false, inputValues).values();
  }

  /**
   * The outputs of {@link #runChained}: row-major values, except for the first output when it is held (then
   * {@code values[0]} is null).
   */
  public record Chained(float[][] values, BlockedTensor held) {}

  /**
   * What the first output holds before a primitive with a sum post-op adds its result to it: row-major
   * {@code values} or a {@code held} tensor. A held one that is {@code consumable} (read by nothing after) may
   * be written over when it is in the output's layout, which saves a copy.
   */
  public record Addend(float[] values, BlockedTensor held, boolean consumable) {}

  /**
   * {@link #run} for consecutive oneDNN ops: the first input may come {@code held} (then {@code inputValues[0]}
   * is null; it is reordered when the primitive wants another layout), the first output may start as
   * {@code addend} (for a primitive made with a sum post-op), and it may stay held, in the layout the primitive
   * wrote it.
   */
  public Chained runChained(Workspace workspace, Tensor weightTensor, BlockedTensor heldInput, Addend addend,
      boolean holdOutput, float[]... inputValues) {
    return runHeld(workspace, weightTensor, new BlockedTensor[] {heldInput}, addend, holdOutput, null, inputValues);
  }

  /**
   * The same with any input held: {@code heldInputs[i]}, when there and not null, stands for input i (then
   * {@code inputValues[i]} is null); and the first output's row-major values written into {@code firstOutput}
   * (of that output's size, written in full) unless it is null or the output is held: a training step reuses
   * its arrays.
   */
  public Chained runHeld(Workspace workspace, Tensor weightTensor, BlockedTensor[] heldInputs, Addend addend,
      boolean holdOutput, float[] firstOutput, float[]... inputValues) {
    if (inputValues.length != inputs.size() || (weights == null) != (weightTensor == null)) {
      throw new IllegalArgumentException(main.what() + " takes " + inputs.size() + " inputs"
          + (weights == null ? "" : " and weights"));
    }
    if (weights == null) return execute(workspace, null, heldInputs, addend, holdOutput, firstOutput, inputValues);
    try (Lease<WeightCache.Reordered> w = WeightCache.shared().acquire(weightTensor, weights, workspace)) {
      return execute(workspace, w.get().buffer(), heldInputs, addend, holdOutput, firstOutput, inputValues);
    }
  }

  /**
   * Runs once on zeros, as {@link #run} would (copies and reorders included, the weights already in the
   * primitive's layout), and returns the nanoseconds taken: for choosing between implementations.
   */
  long timeOnZeros(Workspace workspace) {
    float[][] zeros = new float[inputs.size()][];
    for (int i = 0; i < zeros.length; i++) zeros[i] = new float[Math.toIntExact(inputs.get(i).plain.bytes() / Float.BYTES)];
    NativeBuffer weightBuffer = null;
    if (weights != null) {
      weightBuffer = workspace.buffer("trial weights", weights.internal.bytes());
      weightBuffer.write(new float[Math.toIntExact(weights.internal.bytes() / Float.BYTES)]);
    }
    long start = System.nanoTime();
    execute(workspace, weightBuffer, null, null, false, null, zeros);
    return System.nanoTime() - start;
  }

  private Chained execute(Workspace workspace, NativeBuffer weightBuffer, BlockedTensor[] heldInputs, Addend addend,
      boolean holdOutput, float[] firstOutput, float[][] inputValues) {
    NativeBuffer heldOutput = null;
    try (ExecArgs args = new ExecArgs()) {
      for (int i = 0; i < inputs.size(); i++) {
        Operand in = inputs.get(i);
        BlockedTensor heldInput = heldInputs != null && i < heldInputs.length ? heldInputs[i] : null;
        if (heldInput != null && heldInput.layout().sameLayout(in.internal)) {
          args.add(in.arg, in.internal, heldInput.buffer());
        } else if (heldInput != null) {
          NativeBuffer converted = in.stagingBuffer(workspace);
          heldInput.copyInto(in.internal, converted);
          args.add(in.arg, in.internal, converted);
        } else {
          in.stageIn(workspace, inputValues[i], args);
        }
      }
      NativeBuffer[] results = new NativeBuffer[outputs.size()];
      for (int i = 0; i < outputs.size(); i++) {
        Operand out = outputs.get(i);
        if (i > 0 || (!holdOutput && addend == null)) {
          results[i] = out.bindOut(workspace, args);
          continue;
        }
        NativeBuffer dst;
        if (holdOutput && addend != null && addend.held() != null && addend.consumable()
            && !addend.held().shared() && addend.held().layout().sameLayout(out.internal)) {
          dst = heldOutput = addend.held().takeBuffer();
        } else {
          // A held output is not a workspace slot: it outlives this call.
          dst = holdOutput ? (heldOutput = workspace.borrow(out.internal.bytes())) : out.stagingBuffer(workspace);
          if (addend != null && addend.held() != null) {
            addend.held().copyInto(out.internal, dst);
          } else if (addend != null) {
            out.writeInternal(workspace, addend.values(), dst);
          }
        }
        args.add(out.arg, out.internal, dst);
        if (!holdOutput) results[i] = dst;
      }
      if (weightBuffer != null) args.add(weights.arg, weights.internal, weightBuffer);
      workspace.execute(main, args);
      float[][] values = new float[outputs.size()][];
      for (int i = 0; i < outputs.size(); i++) {
        if (results[i] != null) values[i] = outputs.get(i).readOut(workspace, results[i], i == 0 ? firstOutput : null);
      }
      BlockedTensor held = null;
      if (heldOutput != null) {
        held = new BlockedTensor(workspace, heldOutput, outputs.get(0).internal.copy(), outputs.get(0).plain.dims());
        heldOutput = null;
      }
      return new Chained(values, held);
    } finally {
      if (heldOutput != null) workspace.giveBack(heldOutput);
    }
  }

  /**
   * Row-major values of the first planned input, copied and reordered once into the layout this plan reads
   * it, for {@link #runChained} of this plan or of another that reads the same layout. The caller closes it.
   */
  public BlockedTensor hold(Workspace workspace, float[] firstInputValues) {
    Operand first = inputs.get(0);
    NativeBuffer buffer = workspace.borrow(first.internal.bytes());
    try {
      first.writeInternal(workspace, firstInputValues, buffer);
    } catch (RuntimeException e) {
      workspace.giveBack(buffer);
      throw e;
    }
    return new BlockedTensor(workspace, buffer, first.internal.copy(), first.plain.dims());
  }

  /** The layout in which the primitive writes its first output. */
  MemoryDesc firstOutputLayout() {
    return outputs.get(0).internal;
  }

  /** oneDNN's name for the implementation this plan runs. */
  public String implementation() {
    return main.implementation();
  }

  @Override
  public void close() {
    for (Operand o : inputs) o.close();
    if (weights != null) weights.close();
    for (Operand o : outputs) o.close();
    main.close();
  }

  /** Collects the operands; if any step fails, everything made so far is closed. */
  public static final class Builder {
    private final Primitive main;
    private final List<Operand> inputs = new ArrayList<>();
    private final List<Operand> outputs = new ArrayList<>();
    private Operand weights;

    private Builder(Primitive main) {
      this.main = main;
    }

    /** An argument read from a row-major array laid out as {@code plain} (which the plan then owns). */
    public Builder input(int arg, MemoryDesc plain) {
      inputs.add(guard(() -> Operand.input(arg, plain, main), plain));
      return this;
    }

    /** The parameter argument, read from a tensor through the weight cache. */
    public Builder weights(int arg, MemoryDesc plain) {
      if (weights != null) throw new IllegalStateException("a plan has one weights argument");
      weights = guard(() -> Operand.input(arg, plain, main), plain);
      return this;
    }

    /** An argument written by the primitive, returned as a row-major array laid out as {@code plain}. */
    public Builder output(int arg, MemoryDesc plain) {
      outputs.add(guard(() -> Operand.output(arg, plain, main), plain));
      return this;
    }

    public Plan build() {
      return new Plan(main, List.copyOf(inputs), weights, List.copyOf(outputs));
    }

    private Operand guard(Supplier<Operand> create, MemoryDesc plain) {
      try {
        return create.get();
      } catch (RuntimeException e) {
        plain.close();
        new Plan(main, inputs, weights, outputs).close();
        throw e;
      }
    }
  }
}
