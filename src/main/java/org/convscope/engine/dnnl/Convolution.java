package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convscope.engine.Activation;
import org.convscope.tensor.Tensor;

/**
 * Convolution and transposed convolution (oneDNN's "deconvolution") on row-major tensors: forward, backward
 * to the data, and backward to the weights and bias. A {@link Plan} is made once per {@link ConvGeometry} and
 * pass, with layouts of oneDNN's choosing ({@code format_tag_any}) except for some forward passes, which run
 * on channel-blocked activations ({@link #channelBlocked}), and kept in a bounded cache shared by all
 * threads; weights are reordered once per tensor version by the
 * {@link WeightCache}. Backward-data passes outside training are tuned from their second pass on: oneDNN's
 * implementations are timed once, and the fastest is kept. Forward plans keep oneDNN's first choice: another implementation rounds
 * the activations differently, which can move a max-pooling window's maximum between near-equal values
 * and with it the gradient, so explanations would no longer match PyTorch's.
 */
public final class Convolution {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(1024);
  /** The fastest backward-data implementation of each tuned single-item plan key: a name per convolution. */
  private static final Map<PlanKey, String> WINNERS = new ConcurrentHashMap<>();
  /** The weights of every convolution that has had a backward-data pass (see {@link #repeated}); by identity. */
  private static final Set<Tensor> WEIGHTS_SEEN =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /**
   * TRAINING_FORWARD is the forward pass of a training step: oneDNN's forward-training kind, whose first
   * choice reads and writes a channel-blocked layout (nChw8c on AVX2) that the backward passes use too, where the
   * inference kind picks a channels-last kernel whose reorders from and to row-major cost more.
   */
  private enum Pass { FORWARD, TRAINING_FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS }

  /**
   * The activations' layout a plan is made for: oneDNN's choice, blocked by channels (nChw16c or
   * nChw8c, see {@link #channelBlocked}), or channels-last (nhwc, see {@link #backwardDataChained}).
   */
  private enum Layout { CHOSEN, CHANNEL_BLOCKED, CHANNELS_LAST }

  /**
   * How a forward pass adds a residual (a tensor of the output's shape) to its output, before the activation:
   * into what the destination holds (oneDNN's sum post-op; the residual is copied there first unless nothing
   * reads it later), or read from a tensor of its own (a binary add post-op). The second saves that copy where
   * the residual is read again, as in a run recorded for a backward pass: a ResNet block's input, which the
   * Relu before it reads back; resnet50 copied 22 MB per pass at batch 1, 2.6 ms.
   */
  private enum Residual { NONE, IN_DESTINATION, SEPARATE }

  /**
   * {@code bias}: forward with a bias input, or backward-weights computing the bias gradient too;
   * {@code residual}: how a forward pass adds one, and {@code residualLayout} the {@link MemoryDesc#layoutKey} of a
   * SEPARATE one (else null); {@code activation}: a forward pass's output activation (after the residual), or
   * null; {@code tuned}: a backward-data plan runs the fastest implementation rather than oneDNN's first choice;
   * {@code layout}: the activations' layout.
   */
  private record PlanKey(ConvGeometry geometry, Pass pass, boolean bias, Residual residual, String residualLayout,
      Activation activation, boolean tuned, Layout layout) {
    PlanKey(ConvGeometry geometry, Pass pass, boolean bias) {
      this(geometry, pass, bias, Residual.NONE, null, null, false, Layout.CHOSEN);
    }

    /** A forward pass's key; {@code residualLayout}, a SEPARATE residual's layout, else null. */
    static PlanKey forward(ConvGeometry geometry, Pass pass, boolean bias, Residual residual,
        MemoryDesc residualLayout, Activation activation, Layout layout) {
      return new PlanKey(geometry, pass, bias, residual, residualLayout == null ? null : residualLayout.layoutKey(),
          activation, false, layout);
    }

    static PlanKey backwardData(ConvGeometry geometry, boolean tuned) {
      return backwardData(geometry, tuned, Layout.CHOSEN);
    }

    static PlanKey backwardData(ConvGeometry geometry, boolean tuned, Layout layout) {
      return new PlanKey(geometry, Pass.BACKWARD_DATA, false, Residual.NONE, null, null, tuned, layout);
    }
  }

  /** Below this much work an implementation's speed matters less than the time to create and time several. */
  private static final long TUNING_MIN_MULTIPLY_ADDS = 1L << 20;
  /** oneDNN's first few implementations: enough to reach its gemm-based one, which needs no reorders. */
  private static final int TUNING_CANDIDATES = 5;
  /**
   * Timed runs of each candidate; the best of these counts. On a busy machine a run that loses its core
   * mid-way takes several times longer, so a few turns are needed for a clean one.
   */
  private static final int TUNING_ROUNDS = 3;

  private Convolution() {}

  /** y = conv(x, w) + bias; {@code bias} may be null. Returns y's values, row-major in {@code dstDims()}. */
  public static float[] forward(ConvGeometry geometry, Tensor x, Tensor w, Tensor bias) {
    return forward(geometry, x, w, bias, null);
  }

  /** The same followed by {@code activation} (none when null), which oneDNN applies as it writes y. */
  public static float[] forward(ConvGeometry geometry, Tensor x, Tensor w, Tensor bias, Activation activation) {
    return forwardChained(geometry, x, null, w, bias, null, activation, false).values()[0];
  }

  /**
   * x copied and reordered into the layout the training forward pass reads it, to run that pass on
   * ({@link #trainingForward}) and to keep for the backward-weights pass, which usually reads the same layout.
   * The caller closes it.
   */
  public static BlockedTensor holdTrainingInput(ConvGeometry geometry, Tensor x, boolean withBias) {
    try (Lease<Plan> plan = PLANS.acquire(new PlanKey(geometry, Pass.TRAINING_FORWARD, withBias),
        Convolution::plan)) {
      return plan.get().hold(Dnnl.workspace(), x.data());
    }
  }

  /**
   * y = conv(x, w) + bias in a training step, by oneDNN's first forward-training implementation, reading x
   * from {@code heldX} ({@link #holdTrainingInput}, or null), written into {@code y} (of y's size) and returned.
   */
  public static float[] trainingForward(ConvGeometry geometry, Tensor x, BlockedTensor heldX, Tensor w,
      Tensor bias, float[] y) {
    try (Lease<Plan> plan = PLANS.acquire(new PlanKey(geometry, Pass.TRAINING_FORWARD, bias != null),
        Convolution::plan)) {
      float[] xValues = heldX == null ? x.data() : null;
      float[][] inputs = bias == null ? new float[][] {xValues} : new float[][] {xValues, bias.data()};
      return plan.get().runHeld(Dnnl.workspace(), w, new BlockedTensor[] {heldX}, null, false, y, inputs)
          .values()[0];
    }
  }

  /**
   * The same for a chain of convolutions: x comes as a tensor or, when {@code heldX} is not null, as a previous
   * convolution left it; {@code addend} (none when null, else of y's shape) is added to y before the activation
   * (a residual connection); y is returned held when {@code holdOutput}.
   */
  public static Plan.Chained forwardChained(ConvGeometry geometry, Tensor x, BlockedTensor heldX, Tensor w,
      Tensor bias, Plan.Addend addend, Activation activation, boolean holdOutput) {
    return forwardChained(geometry, Pass.FORWARD, channelBlocked(geometry, heldX) ? Layout.CHANNEL_BLOCKED
        : Layout.CHOSEN, x, heldX, w, bias, addend, activation, holdOutput);
  }

  /**
   * The same in a training step, by oneDNN's first forward-training implementation, reading x held: as
   * {@link #holdTrainingInput} staged it, or as the op before left it.
   */
  public static Plan.Chained trainingForwardChained(ConvGeometry geometry, BlockedTensor heldX, Tensor w,
      Tensor bias, Plan.Addend addend, Activation activation, boolean holdOutput) {
    return forwardChained(geometry, Pass.TRAINING_FORWARD, Layout.CHOSEN, null, heldX, w, bias, addend, activation,
        holdOutput);
  }

  /** A held addend that is read again later is added from its own memory ({@link Residual#SEPARATE}). */
  private static Plan.Chained forwardChained(ConvGeometry geometry, Pass pass, Layout layout, Tensor x,
      BlockedTensor heldX, Tensor w, Tensor bias, Plan.Addend addend, Activation activation, boolean holdOutput) {
    BlockedTensor separate = addend != null && addend.held() != null
        && (!addend.consumable() || addend.held().shared()) ? addend.held() : null;
    Residual residual = separate != null ? Residual.SEPARATE
        : addend != null ? Residual.IN_DESTINATION : Residual.NONE;
    MemoryDesc residualLayout = separate != null ? separate.layout() : null;
    PlanKey key = PlanKey.forward(geometry, pass, bias != null, residual, residualLayout, activation, layout);
    // Inputs in the plan's order: x, the bias if any, the separate residual if any.
    int inputs = 1 + (bias != null ? 1 : 0) + (separate != null ? 1 : 0);
    BlockedTensor[] heldInputs = new BlockedTensor[inputs];
    float[][] values = new float[inputs][];
    heldInputs[0] = heldX;
    if (heldX == null) values[0] = x.data();
    if (bias != null) values[1] = bias.data();
    if (separate != null) heldInputs[inputs - 1] = separate;
    try (Lease<Plan> plan = PLANS.acquire(key, k -> plan(k, residualLayout))) {
      return plan.get().runHeld(Dnnl.workspace(), w, heldInputs, separate != null ? null : addend, holdOutput, null,
          values);
    }
  }

  /**
   * Whether a forward pass runs on activations blocked by channels, one vector of floats a block (nChw16c with
   * AVX-512, nChw8c with AVX2: {@link Dnnl#channelBlock}), rather than in the layouts oneDNN picks,
   * channels-last for its brgconv kernels. Two cases:
   * <ul>
   *   <li>a 2-D convolution of at most 3x3 reading an RGB image (fewer than 8 channels), which the blocked
   *       kernel reads row-major, without a reorder: a MobileNet's or an EfficientNet's stem;</li>
   *   <li>a depthwise or 1x1 convolution whose input comes held in that layout, as a MobileNet's do from its
   *       stem on.</li>
   * </ul>
   * The blocked kernels run these faster: MobileNetV2's forward pass at batch 8 took 28 to 30 ms against 33 to
   * 35 in oneDNN's own layouts on AVX-512, where 8-channel blocks ran AVX2 kernels (its batch-1 pass 8.4 against
   * 5.9 ms). A dense 3x3 convolution runs no faster blocked. A larger stem, ResNet's 7x7, runs channels-last like
   * the convolutions after its max pool: blocked, it was faster alone, but left resnet50's first block two 1x1
   * convolutions on blocked kernels and four reorders. Channels-last, the stem and that block took 62 rather than
   * 63 to 65 ms of primitives per forward pass at batch 8, 159 rather than 168 to 177 per saliency pass (90 to 92
   * rather than 94 to 100 per forward pass on AVX2 kernels).
   *
   * <p>Decided by shapes and by whether the input comes held, never by timing, so runs that fuse alike compute
   * the same values; a run that keeps a tensor gets it as an array, and the convolution reading it then runs in
   * oneDNN's own choice of layouts.
   */
  private static boolean channelBlocked(ConvGeometry g, BlockedTensor heldX) {
    if (g.spatialRank() != 2 || g.transposed()) return false;
    if (g.inChannels() < 8) return g.kernel()[0] <= 3 && g.kernel()[1] <= 3;
    boolean depthwise = g.groups() == g.inChannels() && g.groups() == g.outChannels();
    boolean pointwise = g.groups() == 1 && g.kernel()[0] == 1 && g.kernel()[1] == 1;
    return (depthwise || pointwise) && heldX != null && heldX.layout().channelBlockedNatively();
  }

  /**
   * The gradient with respect to x, given the gradient {@code dy} with respect to the output, by the fastest
   * implementation.
   */
  public static float[] backwardData(ConvGeometry geometry, Tensor w, Tensor dy) {
    return backwardData(geometry, w, dy, null, true);
  }

  /**
   * The same, reading dy from {@code heldDy} ({@link #holdGradient}, or null), by the fastest implementation
   * when {@code tuned} and else by oneDNN's first choice, the same in every process: training keeps that, so
   * that a seed reproduces a model bit for bit.
   */
  public static float[] backwardData(ConvGeometry geometry, Tensor w, Tensor dy, BlockedTensor heldDy,
      boolean tuned) {
    return backwardData(geometry, w, dy, heldDy, tuned, null);
  }

  /** The same, written into {@code dx} (of x's size) unless it is null. */
  public static float[] backwardData(ConvGeometry geometry, Tensor w, Tensor dy, BlockedTensor heldDy,
      boolean tuned, float[] dx) {
    PlanKey key = PlanKey.backwardData(geometry, tuned && repeated(w));
    try (Lease<Plan> plan = PLANS.acquire(key, Convolution::plan)) {
      return plan.get().runHeld(Dnnl.workspace(), w, new BlockedTensor[] {heldDy}, null, false, dx, dy.data())
          .values()[0];
    }
  }

  /**
   * The same for a chain of backward passes: dy comes as a tensor or, when {@code heldDy} is not null, held; dx
   * is returned held when {@code holdOutput}. A held dx comes from oneDNN's first choice of implementation:
   * timing the candidates with copies from and to row-major (as {@link #backwardData} does) favours those that
   * skip the reorders, which a chain does not pay. A dx returned as an array comes from the fastest, as there (a
   * reorder of a held dy stays in native memory).
   *
   * <p>{@code heldX} is x as the forward run left it, or null. When it is channels-last (the layout of oneDNN's
   * brgconv kernels, which a ResNet's forward pass runs on) the pass runs channels-last too, so that dx comes in
   * x's layout and dy in y's: a Relu's mask and a residual Add's sum then meet their operands in one layout with
   * no reorder. On resnet50 this took the backward-data kernels from 78 to 69 ms per saliency pass (brgconv's
   * nhwc kernels against jit:avx2's nChw8c) and about 40 reorders out of the pass. So does an x held otherwise
   * when dy is held channels-last: resnet50's first block, reading the max pool's channel-blocked output, ran
   * its pass blocked, reordering dy in and dx out. A network's first convolution (x not held) keeps the plain
   * layout: there, with dy channels-last, gemm took 19.6 ms rather than 12.6 for ResNet's stem at batch 8.
   */
  public static Plan.Chained backwardDataChained(ConvGeometry geometry, Tensor w, Tensor dy, BlockedTensor heldDy,
      BlockedTensor heldX, boolean holdOutput) {
    boolean channelsLast = heldX != null
        && (heldX.layout().channelsLast() || heldDy != null && heldDy.layout().channelsLast());
    return backwardDataChained(PlanKey.backwardData(geometry, !holdOutput && repeated(w),
        channelsLast ? Layout.CHANNELS_LAST : Layout.CHOSEN), w, dy, heldDy, holdOutput);
  }

  /** The same by the fastest implementation when {@code tuned}, else by oneDNN's first choice (training's). */
  public static Plan.Chained backwardDataChained(ConvGeometry geometry, Tensor w, Tensor dy, BlockedTensor heldDy,
      boolean holdOutput, boolean tuned) {
    return backwardDataChained(PlanKey.backwardData(geometry, tuned), w, dy, heldDy, holdOutput);
  }

  private static Plan.Chained backwardDataChained(PlanKey key, Tensor w, Tensor dy, BlockedTensor heldDy,
      boolean holdOutput) {
    try (Lease<Plan> plan = PLANS.acquire(key, Convolution::plan)) {
      return plan.get().runHeld(Dnnl.workspace(), w, new BlockedTensor[] {heldDy}, null, holdOutput, null,
          heldDy == null ? dy.data() : null);
    }
  }

  /**
   * The gradients with respect to the weights (row-major in the ONNX weight shape) and, if
   * {@code withBias}, the bias; the second entry is null otherwise.
   */
  public static float[][] backwardWeights(ConvGeometry geometry, Tensor x, Tensor dy, boolean withBias) {
    return backwardWeights(geometry, x, dy, null, withBias);
  }

  /** The same, reading dy from {@code heldDy} ({@link #holdGradient}, or null) when it is in the right layout. */
  public static float[][] backwardWeights(ConvGeometry geometry, Tensor x, Tensor dy, BlockedTensor heldDy,
      boolean withBias) {
    return backwardWeights(geometry, x, dy, heldDy, null, withBias);
  }

  /** The same, reading x from {@code heldX} ({@link #holdTrainingInput}, or null) too. */
  public static float[][] backwardWeights(ConvGeometry geometry, Tensor x, Tensor dy, BlockedTensor heldDy,
      BlockedTensor heldX, boolean withBias) {
    try (Lease<Plan> plan = PLANS.acquire(new PlanKey(geometry, Pass.BACKWARD_WEIGHTS, withBias), Convolution::plan)) {
      float[][] out = plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {heldDy, heldX}, null, false,
          null, heldDy == null ? dy.data() : null, heldX == null ? x.data() : null).values();
      return new float[][] {out[0], withBias ? out[1] : null};
    }
  }

  /**
   * dy copied and reordered once, into the layout the backward-data pass reads it, for both backward passes:
   * oneDNN's backward-weights pass usually reads the same layout, and each would otherwise copy and reorder dy
   * itself. The caller closes it.
   */
  public static BlockedTensor holdGradient(ConvGeometry geometry, Tensor dy, boolean tuned) {
    try (Lease<Plan> plan = PLANS.acquire(PlanKey.backwardData(geometry, tuned), Convolution::plan)) {
      return plan.get().hold(Dnnl.workspace(), dy.data());
    }
  }

  /** Frees every cached primitive not in use (those in use when their users finish). */
  public static void clearCache() {
    PLANS.clear();
  }

  private static Plan plan(PlanKey key) {
    return plan(key, null);
  }

  /** {@code residualLayout}: the layout of a SEPARATE residual, else null. */
  private static Plan plan(PlanKey key, MemoryDesc residualLayout) {
    ConvGeometry g = key.geometry();
    if (!key.tuned() || g.withBatch(1).multiplyAdds() < TUNING_MIN_MULTIPLY_ADDS) {
      return candidatePlans(key, 1, residualLayout).get(0);
    }
    List<Plan> candidates = candidatePlans(key, TUNING_CANDIDATES);
    PlanKey single = PlanKey.backwardData(g.withBatch(1), true, key.layout());
    if (g.batch() == 1 && !WINNERS.containsKey(single)) {
      // Timed here, the winner is this plan: no second set of primitives for fastestImplementation to time.
      Plan winner = fastest(candidates);
      WINNERS.putIfAbsent(single, winner.implementation());
      return winner;
    }
    return named(candidates, fastestImplementation(single));
  }

  /**
   * The implementation that wins for one item, by name; every batch size runs that one. Timing candidates on
   * the whole batch would cost seconds per convolution at batch 16 (SmoothGrad's first pass took 4 times as
   * long), and which kernel suits a convolution depends on its channels and window far more than on the batch.
   */
  private static String fastestImplementation(PlanKey single) {
    return WINNERS.computeIfAbsent(single, k -> {
      try (Plan plan = fastest(candidatePlans(k, TUNING_CANDIDATES))) {
        return plan.implementation();
      }
    });
  }

  /** The plan running {@code implementation}, or oneDNN's first choice when none does; the others are closed. */
  private static Plan named(List<Plan> plans, String implementation) {
    Plan chosen = plans.get(0);
    for (Plan p : plans) {
      if (p.implementation().equals(implementation)) {
        chosen = p;
        break;
      }
    }
    for (Plan p : plans) if (p != chosen) p.close();
    return chosen;
  }

  /**
   * Whether a backward-data pass of the convolution with these weights has run before in this process. Tuning
   * starts with the second pass: a one-off gradient (a saliency map from the command line) would otherwise pay
   * for timing the candidates, about a second on resnet50, and gain nothing; SmoothGrad, Integrated Gradients
   * and the explorer repeat their passes and gain. Keyed on the weights, not the shape: a network repeats
   * shapes within one pass.
   */
  static boolean repeated(Tensor weights) {
    return !WEIGHTS_SEEN.add(weights);
  }

  /**
   * The implementation a forward pass of {@code g} runs with a Relu after a residual: added from its own memory
   * in {@code residualLayout}, or into the destination when that is null.
   */
  static String residualForwardImplementation(ConvGeometry g, MemoryDesc residualLayout) {
    PlanKey key = PlanKey.forward(g, Pass.FORWARD, false, residualLayout == null ? Residual.IN_DESTINATION
        : Residual.SEPARATE, residualLayout, Activation.relu(), Layout.CHOSEN);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> plan(k, residualLayout))) {
      return plan.get().implementation();
    }
  }

  /** The implementation a tuned backward-data pass of {@code g} runs, and the one that won for a single item. */
  static String[] backwardDataImplementations(ConvGeometry g) {
    try (Lease<Plan> plan = PLANS.acquire(PlanKey.backwardData(g, true), Convolution::plan)) {
      String single = fastestImplementation(PlanKey.backwardData(g.withBatch(1), true));
      return new String[] {plan.get().implementation(), single};
    }
  }

  /** Plans for the backward-data pass around each of the implementations tuning chooses from. */
  static List<Plan> backwardDataCandidates(ConvGeometry g) {
    return candidatePlans(PlanKey.backwardData(g, true), TUNING_CANDIDATES);
  }

  /** A plan for each of oneDNN's first {@code limit} implementations of the key's pass. */
  private static List<Plan> candidatePlans(PlanKey key, int limit) {
    return candidatePlans(key, limit, null);
  }

  private static List<Plan> candidatePlans(PlanKey key, int limit, MemoryDesc residualLayout) {
    ConvGeometry g = key.geometry();
    boolean blocked = key.layout() == Layout.CHANNEL_BLOCKED;
    return switch (key.pass()) {
      case FORWARD, TRAINING_FORWARD -> plans(forwardPrimitives(g, key.pass() == Pass.TRAINING_FORWARD
          ? dnnl_forward_training : dnnl_forward_inference, key.bias(), key.residual(), residualLayout,
          key.activation(), blocked, limit), main -> {
        Plan.Builder b = Plan.builder(main)
            .input(DNNL_ARG_SRC, MemoryDesc.plain(g.srcDims()))
            .weights(DNNL_ARG_WEIGHTS, MemoryDesc.strided(g.weightsDims(), g.weightsStrides()));
        if (key.bias()) b.input(DNNL_ARG_BIAS, MemoryDesc.plain(g.biasDims()));
        if (key.residual() == Residual.SEPARATE) b.input(Primitive.ADDEND, MemoryDesc.plain(g.dstDims()));
        return b.output(DNNL_ARG_DST, MemoryDesc.plain(g.dstDims())).build();
      });
      case BACKWARD_DATA -> plans(backwardDataPrimitives(g, key.layout() == Layout.CHANNELS_LAST, limit),
          main -> Plan.builder(main)
          .input(DNNL_ARG_DIFF_DST, MemoryDesc.plain(g.dstDims()))
          .weights(DNNL_ARG_WEIGHTS, MemoryDesc.strided(g.weightsDims(), g.weightsStrides()))
          .output(DNNL_ARG_DIFF_SRC, MemoryDesc.plain(g.srcDims()))
          .build());
      case BACKWARD_WEIGHTS -> plans(backwardWeightsPrimitives(g, key.bias(), limit), main -> {
        // dy first, so that it can come held (holdGradient).
        Plan.Builder b = Plan.builder(main)
            .input(DNNL_ARG_DIFF_DST, MemoryDesc.plain(g.dstDims()))
            .input(DNNL_ARG_SRC, MemoryDesc.plain(g.srcDims()))
            .output(DNNL_ARG_DIFF_WEIGHTS, MemoryDesc.strided(g.weightsDims(), g.weightsStrides()));
        if (key.bias()) b.output(DNNL_ARG_DIFF_BIAS, MemoryDesc.plain(g.biasDims()));
        return b.build();
      });
    };
  }

  /** A plan around each primitive; if one cannot be built, everything is closed. */
  private static List<Plan> plans(List<Primitive> primitives, Function<Primitive, Plan> build) {
    List<Plan> plans = new ArrayList<>();
    try {
      for (Primitive p : primitives) plans.add(build.apply(p));
      return plans;
    } catch (RuntimeException e) {
      for (Plan p : plans) p.close();
      // The failed build closed its own primitive; those after it are not in a plan yet.
      for (int i = plans.size() + 1; i < primitives.size(); i++) primitives.get(i).close();
      throw e;
    }
  }

  /**
   * The plan that runs fastest on this machine, copies and reorders included; the others are closed.
   * oneDNN ranks its implementations without regard to the reorders from and to row-major, and its first
   * choice for some shapes is several times slower than another one (brgconv_strided for stride-2
   * backward-data: the 7x7/2 stem of a ResNet takes about 2.5 times as long as with gemm). The candidates
   * are timed in turns, each keeping its best time, so that a burst of load on the machine does not decide; after the first turn those more than twice as slow as the best are
   * dropped, which keeps the cost of a first run down. All compute the same values within float rounding.
   */
  private static Plan fastest(List<Plan> plans) {
    Plan chosen = null;
    try {
      if (plans.size() == 1) return chosen = plans.get(0);
      long[] best = new long[plans.size()];
      Arrays.fill(best, Long.MAX_VALUE);
      boolean[] dropped = new boolean[plans.size()];
      Workspace workspace = Dnnl.workspace();
      // A first run maps the buffers a candidate touches (gemm's unrolled input alone took 23 ms once for a
      // ResNet stem, against 3.4 ms after, and the rule below then dropped the fastest candidate).
      for (Plan plan : plans) plan.timeOnZeros(workspace);
      for (int round = 0; round < TUNING_ROUNDS; round++) {
        for (int i = 0; i < plans.size(); i++) {
          if (!dropped[i]) best[i] = Math.min(best[i], plans.get(i).timeOnZeros(workspace));
        }
        if (round == 0) {
          long fastest = Arrays.stream(best).min().getAsLong();
          for (int i = 0; i < plans.size(); i++) dropped[i] = best[i] > 2 * fastest;
        }
      }
      int fastest = 0;
      for (int i = 1; i < best.length; i++) if (best[i] < best[fastest]) fastest = i;
      return chosen = plans.get(fastest);
    } finally {
      for (Plan p : plans) if (p != chosen) p.close();
    }
  }

  /** The layouts a primitive is created from: "any" for the tensors, so oneDNN picks; plain for the bias. */
  private static final class Descs implements AutoCloseable {
    final MemoryDesc src;
    final MemoryDesc weights;
    final MemoryDesc bias;
    final MemoryDesc dst;

    Descs(ConvGeometry g, boolean withBias) {
      this(g, withBias, MemoryDesc.any(g.srcDims()), MemoryDesc.any(g.dstDims()));
    }

    private Descs(ConvGeometry g, boolean withBias, MemoryDesc src, MemoryDesc dst) {
      this.src = src;
      weights = MemoryDesc.any(g.weightsDims());
      bias = withBias ? MemoryDesc.plain(g.biasDims()) : null;
      this.dst = dst;
    }

    /**
     * Channel-blocked activations ({@link Dnnl#channelBlockedTag}); x row-major when it has fewer than 8
     * channels (an RGB image), which the kernel then reads as it is, with no reorder.
     */
    static Descs channelBlocked(ConvGeometry g, boolean withBias) {
      MemoryDesc src = g.inChannels() >= 8 ? MemoryDesc.tagged(Dnnl.channelBlockedTag(), g.srcDims())
          : MemoryDesc.tagged(dnnl_abcd, g.srcDims());
      return new Descs(g, withBias, src, MemoryDesc.tagged(Dnnl.channelBlockedTag(), g.dstDims()));
    }

    /** Channels-last activations (nhwc), no bias: for a backward-data pass. */
    static Descs channelsLast(ConvGeometry g) {
      return new Descs(g, false, MemoryDesc.tagged(dnnl_acdb, g.srcDims()), MemoryDesc.tagged(dnnl_acdb, g.dstDims()));
    }

    dnnl_memory_desc biasHandle() {
      return bias == null ? null : bias.handle();
    }

    @Override
    public void close() {
      src.close();
      weights.close();
      if (bias != null) bias.close();
      dst.close();
    }
  }

  /**
   * Up to {@code limit} implementations of the forward pass of kind {@code propKind}, oneDNN's first choice
   * first, on channel-blocked activations when {@code blocked} ({@link #channelBlocked}). Where oneDNN has only
   * its reference kernel for those layouts (a dilated 5x4 depthwise convolution, say), its own choice of layouts
   * stands.
   */
  private static List<Primitive> forwardPrimitives(ConvGeometry g, int propKind, boolean withBias,
      Residual residual, MemoryDesc residualLayout, Activation activation, boolean blocked, int limit) {
    String what = g + " forward" + (residual == Residual.NONE ? "" : " plus a residual")
        + (activation == null ? "" : " with " + activation);
    return preferringLayouts(blocked ? () -> Descs.channelBlocked(g, withBias) : null,
        () -> new Descs(g, withBias), d -> Primitive.candidates(what, residual == Residual.IN_DESTINATION,
            residualLayout, activation, (pd, attr) -> forwardDescriptor(pd, g, propKind, d, attr), limit));
  }

  /**
   * What {@code make} finds on {@code preferred}'s layouts (none when null), unless oneDNN has only its reference
   * kernel for them or none at all: then what it finds on {@code chosen}'s, oneDNN's own choice.
   */
  private static List<Primitive> preferringLayouts(Supplier<Descs> preferred, Supplier<Descs> chosen,
      Function<Descs, List<Primitive>> make) {
    if (preferred != null) {
      try (Descs d = preferred.get()) {
        List<Primitive> found = make.apply(d);
        if (!found.get(0).implementation().startsWith("ref")) return found;
        for (Primitive p : found) p.close();
      } catch (DnnlException e) {
        // No implementation for these layouts at all: oneDNN's own choice below.
      }
    }
    try (Descs d = chosen.get()) {
      return make.apply(d);
    }
  }

  private static int forwardDescriptor(dnnl_primitive_desc pd, ConvGeometry g, int propKind, Descs d,
      dnnl_primitive_attr attr) {
    return g.transposed()
        ? dnnl_deconvolution_forward_primitive_desc_create(pd, Dnnl.engine(), propKind, dnnl_deconvolution_direct,
            d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
            g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), attr)
        : dnnl_convolution_forward_primitive_desc_create(pd, Dnnl.engine(), propKind, dnnl_convolution_direct,
            d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
            g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), attr);
  }

  /**
   * Up to {@code limit} implementations of the backward-data pass, on channels-last activations when
   * {@code channelsLast}; where oneDNN has only its reference kernel for those, in its own choice of layouts.
   */
  private static List<Primitive> backwardDataPrimitives(ConvGeometry g, boolean channelsLast, int limit) {
    return preferringLayouts(channelsLast && g.spatialRank() == 2 ? () -> Descs.channelsLast(g) : null,
        () -> new Descs(g, false), d -> backwardDataPrimitives(g, d, limit));
  }

  private static List<Primitive> backwardDataPrimitives(ConvGeometry g, Descs d, int limit) {
    String what = g + " backward to data";
    return withForwardHint(g, d, what, hint -> Primitive.candidates(what, false, null, null, (pd, attr) -> g.transposed()
        ? dnnl_deconvolution_backward_data_primitive_desc_create(pd, Dnnl.engine(), dnnl_deconvolution_direct,
            d.src.handle(), d.weights.handle(), d.dst.handle(),
            g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr)
        : dnnl_convolution_backward_data_primitive_desc_create(pd, Dnnl.engine(), dnnl_convolution_direct,
            d.src.handle(), d.weights.handle(), d.dst.handle(),
            g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr), limit));
  }

  private static List<Primitive> backwardWeightsPrimitives(ConvGeometry g, boolean withBias, int limit) {
    String what = g + " backward to weights";
    try (Descs d = new Descs(g, withBias)) {
      return withForwardHint(g, d, what, hint -> Primitive.candidates(what, false, null, null, (pd, attr) -> g.transposed()
          ? dnnl_deconvolution_backward_weights_primitive_desc_create(pd, Dnnl.engine(), dnnl_deconvolution_direct,
              d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
              g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr)
          : dnnl_convolution_backward_weights_primitive_desc_create(pd, Dnnl.engine(), dnnl_convolution_direct,
              d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
              g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr), limit));
    }
  }

  /** {@link Primitive#withForwardHint} with this convolution's forward-training descriptor. */
  private static <T> T withForwardHint(ConvGeometry g, Descs d, String what,
      Function<dnnl_primitive_desc, T> create) {
    return Primitive.withForwardHint(what, (pd, attr) -> forwardDescriptor(pd, g, dnnl_forward_training, d, attr),
        create);
  }
}
