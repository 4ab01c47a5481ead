package org.convscope.engine.dnnl;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.convscope.engine.Parallel;

/**
 * Native memory for oneDNN to read and write, aligned to 64 bytes (a cache line, which oneDNN's vectorized
 * kernels prefer). Freed by {@link #close()}.
 *
 * <p>The aligned pointer is a separate pointer whose address itself is aligned, with position zero: JavaCPP
 * adds a pointer's position in bytes, not elements, when it is passed as {@code void*}, so an offset position
 * would hand oneDNN the wrong address.
 */
public final class NativeBuffer implements AutoCloseable {
  private static final int ALIGNMENT = 64;
  /**
   * Copies between the Java heap and native memory are single-threaded memcpy inside JNI; activations of a
   * megabyte or more are split across the cores.
   */
  private static final int COPY_GRAIN = 1 << 18;
  /** Bytes of all buffers not yet closed: lets tests check that a failed run frees what it held. */
  private static final AtomicLong LIVE_BYTES = new AtomicLong();
  /** Buffers allocated so far: lets tests check that repeated runs reuse theirs. */
  private static final AtomicLong ALLOCATIONS = new AtomicLong();

  private final BytePointer allocation;
  private final FloatPointer floats;
  private final long bytes;
  private boolean closed;

  /** Null for a view ({@link #from}), which owns nothing. */
  private final NativeBuffer owner;

  /** A buffer of at least {@code bytes} bytes, contents undefined. */
  public NativeBuffer(long bytes) {
    this.bytes = Math.max(bytes, Float.BYTES);
    allocation = new BytePointer(this.bytes + ALIGNMENT);
    long misalignment = allocation.address() % ALIGNMENT;
    BytePointer aligned = allocation.getPointer(misalignment == 0 ? 0 : ALIGNMENT - misalignment);
    floats = new FloatPointer(aligned);
    floats.capacity(this.bytes / Float.BYTES);
    floats.limit(this.bytes / Float.BYTES);
    if (floats.address() % ALIGNMENT != 0 || floats.position() != 0) {
      throw new IllegalStateException("could not align a native buffer");
    }
    LIVE_BYTES.addAndGet(this.bytes);
    ALLOCATIONS.incrementAndGet();
    owner = null;
  }

  private NativeBuffer(NativeBuffer owner, long floatOffset) {
    this.owner = owner;
    this.allocation = null;
    this.bytes = owner.bytes - floatOffset * Float.BYTES;
    long start = owner.floats.address() + floatOffset * Float.BYTES;
    long count = bytes / Float.BYTES;
    // A pointer of its own at that address (see the class comment), with no deallocator: closing or collecting
    // it frees nothing. (Inside the anonymous class, address, capacity and limit name the pointer's fields.)
    this.floats = new FloatPointer() {
      {
        address = start;
        capacity = count;
        limit = count;
      }
    };
  }

  /**
   * The part of this buffer from float {@code floatOffset} on, as a buffer that owns nothing: valid while this one
   * is open. A part of a larger tensor read through it needs no offset in its layout, so one primitive serves
   * every such part of the same shape.
   */
  public NativeBuffer from(long floatOffset) {
    if (floatOffset < 0 || floatOffset * Float.BYTES >= bytes) {
      throw new IllegalArgumentException("offset " + floatOffset + " outside a buffer of " + bytes + " bytes");
    }
    return floatOffset == 0 ? this : new NativeBuffer(this, floatOffset);
  }

  /** The bytes of every buffer allocated and not yet closed, in this process. */
  public static long liveBytes() {
    return LIVE_BYTES.get();
  }

  /** How many buffers this process has allocated, closed or not. */
  public static long allocations() {
    return ALLOCATIONS.get();
  }

  public long bytes() {
    return bytes;
  }

  /** The aligned memory, for oneDNN. */
  public FloatPointer pointer() {
    return floats;
  }

  /** Sets the first {@code count} bytes to zero. */
  public void zero(long count) {
    if (count > bytes) throw new IllegalArgumentException(count + " bytes to clear in a buffer of " + bytes);
    Pointer.memset(floats, 0, count);
  }

  /** Copies {@code values} to the start of the buffer. */
  public void write(float[] values) {
    if ((long) values.length * Float.BYTES > bytes) {
      throw new IllegalArgumentException(values.length + " floats do not fit in a buffer of " + bytes + " bytes");
    }
    Parallel.forRange(values.length, COPY_GRAIN, (from, to) -> at(from).put(values, from, to - from));
  }

  /** Copies the start of the buffer into {@code values}. */
  public void read(float[] values) {
    if ((long) values.length * Float.BYTES > bytes) {
      throw new IllegalArgumentException("a buffer of " + bytes + " bytes does not hold " + values.length + " floats");
    }
    Parallel.forRange(values.length, COPY_GRAIN, (from, to) -> at(from).get(values, from, to - from));
  }

  /** Copies the first {@code count} bytes of this buffer to the start of {@code target}. */
  public void copyTo(NativeBuffer target, long count) {
    if (count > bytes || count > target.bytes) {
      throw new IllegalArgumentException("cannot copy " + count + " bytes between buffers of " + bytes + " and "
          + target.bytes);
    }
    Pointer.memcpy(target.floats, floats, count);
  }

  /**
   * A view of the buffer from float {@code offset} on, for one thread's share of a copy: JavaCPP's array copies
   * start at the pointer's position, so each chunk needs a pointer of its own.
   */
  private FloatPointer at(int offset) {
    return offset == 0 ? floats : new FloatPointer(floats).position(offset);
  }

  @Override
  public void close() {
    if (closed || owner != null) return;
    closed = true;
    LIVE_BYTES.addAndGet(-bytes);
    // The aligned view deallocates through to the allocation; closing both is idempotent.
    floats.close();
    allocation.close();
  }
}
