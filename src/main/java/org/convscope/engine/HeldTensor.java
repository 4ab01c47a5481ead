package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * A tensor that one op left outside the Java heap, in oneDNN's layout, for the next op to read as it is: in runs
 * that record nothing, a convolution whose output only another convolution reads skips converting it to a Java
 * array and back. The executor closes it once read; {@link #toTensor()} makes the array when an op declines it.
 */
public interface HeldTensor extends AutoCloseable {

  int[] shape();

  /** The values as a row-major tensor. */
  Tensor toTensor();

  /**
   * The values with the axes permuted (output axis k is axis {@code order[k]}) as a row-major tensor, when this
   * tensor's layout stores them in that order already, so that reading them is a copy; null otherwise.
   */
  Tensor permutedIfStored(int[] order);

  /**
   * The values transposed (output axis k is axis {@code order[k]}) as another handle on the same memory, read
   * through a permuted layout ({@link #share} explains handles), or null when this tensor cannot give one.
   */
  HeldTensor permuted(int[] order);

  /**
   * The values with another shape of the same size, as another handle on the same memory, or null when this
   * tensor's layout cannot be read so (blocks that the new dimensions would split).
   */
  HeldTensor reshaped(int[] shape);

  /**
   * These values with zeros around them, {@code before[k]} before and {@code after[k]} after along axis k, in a
   * new tensor laid out as this one is (channels-last, channel-blocked or row-major); null when such a layout
   * cannot hold them where they go (a channel block split).
   */
  HeldTensor zeroPadded(int[] before, int[] after);

  /** These values row-major: another handle on the same memory when they are stored so, else a copy. */
  HeldTensor rowMajor();

  /**
   * The values from {@code starts} on, {@code counts} of them along each axis, copied into a new dense held
   * tensor, or null when this tensor's layout cannot be cut there.
   */
  HeldTensor sliced(int[] starts, int[] counts);

  /**
   * This tensor times factors per channel (of shape [N or 1, C or 1, 1, ...], the rank of this tensor's), given
   * as a tensor or held (the other is null), as a new held tensor, or null when they have another shape. Both
   * stay open.
   */
  HeldTensor timesPerChannel(Tensor scale, HeldTensor heldScale);

  /**
   * This tensor times {@code other} (held, of the same shape) element by element, summed to {@code shape}, one
   * value per channel ([N or 1, C or 1, 1, ...], this tensor's rank): the gradient of the factors that scaled a
   * tensor channel by channel, from the product's gradient and the tensor. Null when {@code other} is not held
   * so or {@code shape} is another; both stay open.
   */
  Tensor productSummedTo(HeldTensor other, int[] shape);

  /**
   * f(this) for an element-wise function that oneDNN computes ({@link Activation}), as a new held tensor in this
   * one's layout, or null when it cannot; this stays open.
   */
  HeldTensor activated(Activation f);

  /**
   * The gradient with respect to f's input, this tensor, given the gradient {@code dy} of f's output as a tensor
   * or held ({@code heldDy}; the other is null): a new held tensor in this one's layout, or null when oneDNN
   * cannot compute it so. All stay open.
   */
  HeldTensor activationGradient(Activation f, Tensor dy, HeldTensor heldDy);

  /**
   * Another handle on these values, for a second reader, without copying them: Add hands its output's gradient
   * to both inputs so. The memory is freed when every handle is closed; none may be written over meanwhile.
   */
  HeldTensor share();

  /**
   * This tensor plus {@code other} (of the same shape) as a new held tensor, in this one's layout, or null when
   * {@code other} is not held so. Both stay open.
   */
  HeldTensor plus(HeldTensor other);

  /**
   * This tensor plus {@code other}, for a gradient that gathers a sum: added into this tensor's own memory when
   * no other handle reads it (then this handle is returned), else into a new tensor (this one stays open); null
   * when {@code other} is not held so. {@code other} stays open.
   */
  HeldTensor plusInPlace(HeldTensor other);

  /**
   * These values in memory of their own: this handle when they have it, else a dense copy, closing this handle
   * (a {@link #part}).
   */
  HeldTensor owned();

  /**
   * The values from {@code starts} on, {@code counts} of them along each axis, read where they lie (another
   * handle on this memory), or null when this layout cannot be cut there. Only for a gradient that a sum gathers
   * ({@link #plusInPlace} reads it, {@link #owned} copies it): ops never get one, for an op may write over a
   * gradient it holds alone, in a layout of its own.
   */
  HeldTensor part(int[] starts, int[] counts);

  /**
   * Whether {@code factors} has one value per channel of a tensor of {@code shape}: [N or 1, C or 1, 1, ...], of
   * its rank, as {@link #timesPerChannel} and {@link #productSummedTo} take them.
   */
  static boolean perChannel(int[] factors, int[] shape) {
    if (factors.length != shape.length) return false;
    for (int k = 0; k < shape.length; k++) {
      if (factors[k] != 1 && (k >= 2 || factors[k] != shape[k])) return false;
    }
    return true;
  }

  /** Frees the native memory. */
  @Override
  void close();
}
