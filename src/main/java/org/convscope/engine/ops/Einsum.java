package org.convscope.engine.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Einstein summation over float tensors, as numpy's einsum: an equation such as {@code "bhid,bhjd->bhij"}
 * names each input's axes with letters; letters missing from the output are summed over. Supported: any
 * number of inputs, {@code ...} for leading axes (broadcast between inputs), size-1 axes broadcast against
 * their label's size, repeated letters in an input (diagonals), and the implicit output (no {@code ->}):
 * the ellipsis axes, then the letters used once, in alphabetical order. PyTorch writes it for attention in
 * MaxViT.
 *
 * <p>Every label gets one loop, and each tensor a stride per label (0 where the label is not among its axes,
 * the sum of the strides where it is repeated), so forward and backward are the same strided accumulation:
 * the gradient of an input is the output gradient times the other inputs, accumulated into that input's
 * strides.
 */
public final class Einsum implements Op {
  /** Label codes 0-51 are letters; the ellipsis axes get the codes from here on, counted from the right. */
  private static final int ELLIPSIS = 52;

  private final List<String> inputTerms;
  /** The output term, or null for the implicit output. */
  private final String outputTerm;

  private Einsum(List<String> inputTerms, String outputTerm) {
    this.inputTerms = inputTerms;
    this.outputTerm = outputTerm;
  }

  static Einsum create(OpSpec spec) {
    String equation = spec.attributes().getString("equation", null);
    if (equation == null) throw spec.invalid("the equation attribute is missing");
    try {
      Einsum op = parse(equation);
      if (op.inputTerms.size() != spec.inputCount()) {
        throw new IllegalArgumentException("it names " + op.inputTerms.size() + " inputs but the node has " + spec.inputCount());
      }
      return op;
    } catch (IllegalArgumentException e) {
      throw spec.invalid("equation '" + equation + "': " + e.getMessage());
    }
  }

  /** Reads an equation such as "ij,jk->ik"; spaces are ignored. */
  static Einsum parse(String equation) {
    String e = equation.replace(" ", "");
    String[] sides = e.split("->", -1);
    if (sides.length > 2) throw new IllegalArgumentException("more than one '->'");
    List<String> terms = List.of(sides[0].split(",", -1));
    for (String term : terms) checkTerm(term);
    String output = sides.length == 2 ? sides[1] : null;
    if (output != null) {
      checkTerm(output);
      String letters = output.replace("...", "");
      if (letters.chars().distinct().count() != letters.length()) throw new IllegalArgumentException("the output repeats a letter");
    }
    return new Einsum(terms, output);
  }

  private static void checkTerm(String term) {
    String letters = term.replaceFirst("\\.\\.\\.", "");
    for (char c : letters.toCharArray()) {
      if (!Character.isLetter(c) || c > 'z') throw new IllegalArgumentException("'" + term + "' is not letters with at most one '...'");
    }
  }

  private static int letterCode(char c) {
    return c >= 'a' ? c - 'a' + 26 : c - 'A';
  }

  /**
   * One run's loops: the size of each label, in loop order (the output's labels, then the summed ones), and the
   * stride of every input and of the output for each.
   */
  private record Loops(int[] sizes, int[][] inputStrides, int[] outputShape, int[] outputStrides) {}

  private Loops loops(Tensor[] inputs) {
    int ellipsisRank = 0;
    for (int i = 0; i < inputs.length; i++) {
      String letters = inputTerms.get(i).replace("...", "");
      int covered = inputs[i].rank() - letters.length();
      if (covered < 0 || (covered > 0 && !inputTerms.get(i).contains("..."))) {
        throw new IllegalArgumentException("input " + i + " of shape " + Shapes.toString(inputs[i].shape())
            + " does not have the axes '" + inputTerms.get(i) + "' names");
      }
      ellipsisRank = Math.max(ellipsisRank, covered);
    }
    // The label of every axis of every input, and each label's size.
    int[][] axisLabels = new int[inputs.length][];
    Map<Integer, Integer> sizes = new LinkedHashMap<>();
    int[] uses = new int[ELLIPSIS + ellipsisRank];
    for (int i = 0; i < inputs.length; i++) {
      axisLabels[i] = labels(inputTerms.get(i), inputs[i].rank(), ellipsisRank);
      for (int axis = 0; axis < axisLabels[i].length; axis++) {
        int label = axisLabels[i][axis];
        int dim = inputs[i].dim(axis);
        uses[label]++;
        Integer known = sizes.get(label);
        if (known != null && known != dim && known != 1 && dim != 1) {
          throw new IllegalArgumentException("label sizes disagree: " + known + " and " + dim + " in input " + i);
        }
        sizes.put(label, known == null ? dim : Math.max(known, dim));
      }
    }
    int[] outputLabels = outputTerm != null ? labels(outputTerm, -1, ellipsisRank) : implicitOutput(uses, ellipsisRank);
    List<Integer> order = new ArrayList<>();
    for (int label : outputLabels) {
      if (!sizes.containsKey(label)) throw new IllegalArgumentException("output label is in no input");
      order.add(label);
    }
    for (int label : sizes.keySet()) if (!order.contains(label)) order.add(label);

    int[] loopSizes = new int[order.size()];
    for (int d = 0; d < loopSizes.length; d++) loopSizes[d] = sizes.get(order.get(d));
    int[] outputShape = new int[outputLabels.length];
    for (int d = 0; d < outputShape.length; d++) outputShape[d] = loopSizes[d];
    int[] outputStrides = Arrays.copyOf(Shapes.strides(outputShape), loopSizes.length);
    int[][] inputStrides = new int[inputs.length][loopSizes.length];
    for (int i = 0; i < inputs.length; i++) {
      int[] strides = Shapes.strides(inputs[i].shape());
      for (int axis = 0; axis < strides.length; axis++) {
        int d = order.indexOf(axisLabels[i][axis]);
        // A size-1 axis against a larger label repeats its one value: stride 0.
        if (inputs[i].dim(axis) == loopSizes[d]) inputStrides[i][d] += strides[axis];
      }
    }
    return new Loops(loopSizes, inputStrides, outputShape, outputStrides);
  }

  /** The label codes of a term's axes; {@code rank} -1 means the ellipsis covers all ellipsis axes. */
  private static int[] labels(String term, int rank, int ellipsisRank) {
    String letters = term.replace("...", "");
    int covered = !term.contains("...") ? 0 : rank < 0 ? ellipsisRank : rank - letters.length();
    int[] out = new int[letters.length() + covered];
    int axis = 0;
    for (int p = 0; p < term.length(); p++) {
      if (term.startsWith("...", p)) {
        for (int j = 0; j < covered; j++) out[axis++] = ELLIPSIS + ellipsisRank - covered + j;
        p += 2;
      } else {
        out[axis++] = letterCode(term.charAt(p));
      }
    }
    return out;
  }

  /** The ellipsis axes, then the letters used exactly once, uppercase before lowercase as in ASCII. */
  private static int[] implicitOutput(int[] uses, int ellipsisRank) {
    List<Integer> out = new ArrayList<>();
    for (int j = 0; j < ellipsisRank; j++) out.add(ELLIPSIS + j);
    for (int label = 0; label < ELLIPSIS; label++) if (uses[label] == 1) out.add(label);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Loops loops = loops(inputs);
    float[][] sources = new float[inputs.length][];
    for (int i = 0; i < inputs.length; i++) sources[i] = inputs[i].data();
    float[] out = new float[Shapes.checkedSize(loops.outputShape)];
    accumulate(loops.sizes, sources, loops.inputStrides, out, loops.outputStrides);
    return new Tensor[] {Tensor.of(out, loops.outputShape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Loops loops = loops(inputs);
    Tensor[] grads = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      if (!needed[i]) continue;
      // d out / d input i: the output gradient times every other input, summed into input i's positions.
      float[][] sources = new float[inputs.length][];
      int[][] strides = new int[inputs.length][];
      sources[0] = outputGrads[0].data();
      strides[0] = loops.outputStrides;
      for (int j = 0, k = 1; j < inputs.length; j++) {
        if (j == i) continue;
        sources[k] = inputs[j].data();
        strides[k++] = loops.inputStrides[j];
      }
      float[] dx = new float[inputs[i].size()];
      accumulate(loops.sizes, sources, strides, dx, loops.inputStrides[i]);
      grads[i] = Tensor.of(dx, inputs[i].shape());
    }
    return grads;
  }

  /**
   * For every combination of the loop indices, adds the product of the sources' elements to the target's
   * element, each found through its strides. The last loop runs innermost, summed in double when the target
   * does not move along it.
   */
  static void accumulate(int[] sizes, float[][] sources, int[][] sourceStrides, float[] target, int[] targetStrides) {
    for (int size : sizes) if (size == 0) return;
    int n = sources.length;
    if (sizes.length == 0) {
      double p = 1;
      for (float[] s : sources) p *= s[0];
      target[0] += (float) p;
      return;
    }
    int inner = sizes.length - 1;
    int length = sizes[inner];
    int[] steps = new int[n];
    for (int s = 0; s < n; s++) steps[s] = sourceStrides[s][inner];
    int targetStep = targetStrides[inner];
    long outerCount = 1;
    for (int d = 0; d < inner; d++) outerCount *= sizes[d];
    int[] index = new int[inner];
    int[] offsets = new int[n];
    int t = 0;
    for (long r = 0; r < outerCount; r++) {
      if (targetStep == 0) {
        double sum = 0;
        for (int k = 0; k < length; k++) sum += product(sources, offsets, steps, k);
        target[t] += (float) sum;
      } else {
        for (int k = 0; k < length; k++) target[t + k * targetStep] += (float) product(sources, offsets, steps, k);
      }
      for (int d = inner - 1; d >= 0; d--) {
        for (int s = 0; s < n; s++) offsets[s] += sourceStrides[s][d];
        t += targetStrides[d];
        if (++index[d] < sizes[d]) break;
        for (int s = 0; s < n; s++) offsets[s] -= sourceStrides[s][d] * sizes[d];
        t -= targetStrides[d] * sizes[d];
        index[d] = 0;
      }
    }
  }

  private static double product(float[][] sources, int[] offsets, int[] steps, int k) {
    double p = sources[0][offsets[0] + k * steps[0]];
    for (int s = 1; s < sources.length; s++) p *= sources[s][offsets[s] + k * steps[s]];
    return p;
  }
}
