package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.convscope.engine.Activation;

/**
 * A oneDNN primitive with its primitive descriptor, which it keeps so that the layouts it chose can be
 * queried. Immutable once created and safe to execute from several threads at once, each with its own
 * {@link Workspace}: primitives are created with a user-managed scratchpad, so no hidden buffer is shared. A
 * primitive is created for one OpenMP thread or for all of them ({@link PrimitiveThreads}), and runs so.
 */
public final class Primitive implements AutoCloseable {
  private final dnnl_primitive_desc descriptor;
  private final dnnl_primitive primitive;
  private final String what;
  private final long scratchpadBytes;
  /** OpenMP threads it was created for and runs on: 1 or all ({@link PrimitiveThreads}). */
  private final int threads;
  /** A view into the descriptor, kept: every execution passes it. */
  private final MemoryDesc scratchpadMd;
  private boolean closed;

  /** Fills in a primitive descriptor; returns oneDNN's status. */
  /** The execution argument of the addend of {@link #candidates}: the first post-op's second source. */
  public static final int ADDEND = DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1;

  @FunctionalInterface
  public interface DescriptorFactory {
    int create(dnnl_primitive_desc descriptor, dnnl_primitive_attr attributes);
  }

  private Primitive(dnnl_primitive_desc descriptor, dnnl_primitive primitive, String what, int threads) {
    this.descriptor = descriptor;
    this.primitive = primitive;
    this.what = what;
    this.threads = threads;
    this.scratchpadMd = md(dnnl_query_scratchpad_md);
    this.scratchpadBytes = scratchpadMd.bytes();
  }

  /**
   * Creates the descriptor with {@code factory}, passing it attributes that ask for a user-managed scratchpad,
   * then the primitive. {@code what} names it in error messages ("convolution forward [1,3,224,224]...").
   */
  public static Primitive create(String what, DescriptorFactory factory) {
    return create(what, false, null, factory);
  }

  /**
   * The same, with post-ops applied to the primitive's output as it is written, in this order: when
   * {@code sumIntoDst}, the values already in the destination are added (oneDNN's sum post-op, a residual
   * connection); then the element-wise {@code activation}, or none when null.
   */
  public static Primitive create(String what, boolean sumIntoDst, Activation activation, DescriptorFactory factory) {
    dnnl_primitive_desc descriptor = describe(what, sumIntoDst, null, activation, factory);
    if (!fitsOneThread(descriptor)) return fromDescriptor(descriptor, what, OpenMp.defaultThreads());
    return OpenMp.onThreads(1, () -> fromDescriptor(describe(what, sumIntoDst, null, activation, factory), what, 1));
  }

  /**
   * Whether the primitive {@code descriptor} describes is to be created for one thread: then the descriptor,
   * made for all of them, is destroyed here (it must be made again on one), as it is when the answer fails.
   */
  private static boolean fitsOneThread(dnnl_primitive_desc descriptor) {
    boolean one;
    try {
      one = PrimitiveThreads.oneThread(descriptor);
    } catch (RuntimeException e) {
      dnnl_primitive_desc_destroy(descriptor);
      throw e;
    }
    if (one) dnnl_primitive_desc_destroy(descriptor);
    return one;
  }

  /** A primitive created for {@code threads} OpenMP threads, whatever its size. */
  static Primitive createOnThreads(String what, int threads, DescriptorFactory factory) {
    return OpenMp.onThreads(threads, () -> fromDescriptor(describe(what, false, null, null, factory), what, threads));
  }

  /**
   * What {@code create} makes of a forward-training descriptor that {@code hint} fills in (without attributes):
   * oneDNN builds every backward primitive from one, needed only while creating it, then destroyed here.
   */
  public static <T> T withForwardHint(String what, DescriptorFactory hint, Function<dnnl_primitive_desc, T> create) {
    dnnl_primitive_desc descriptor = new dnnl_primitive_desc();
    Dnnl.check(hint.create(descriptor, null), "creating the forward hint of " + what);
    try {
      return create.apply(descriptor);
    } finally {
      dnnl_primitive_desc_destroy(descriptor);
    }
  }

  /**
   * What {@code create} makes for element-wise work on {@code layout}; where oneDNN has only its reference kernel
   * for that layout, what it makes for 4-D channels-last or this CPU's channel-blocked layout instead, the first
   * with another kernel (the caller's plan then reorders its operands as it reads them). On AVX-512, oneDNN's
   * JIT kernels take neither 8-channel blocks (a grouped convolution's output, 8 channels a group) nor 16-channel
   * blocks padded at the end (184 channels) for some functions, and its reference kernel took 41 of
   * regnet_y_400mf's 54 ms per forward pass and 13 of mobilenet_v3_large's 49 ms per saliency pass at batch 2.
   */
  static Primitive preferringJit(MemoryDesc layout, Function<MemoryDesc, Primitive> create) {
    Primitive primitive = create.apply(layout);
    long[] dims = layout.dims();
    if (!primitive.implementation().startsWith("ref") || dims.length != 4) return primitive;
    for (int tag : new int[] {dnnl_acdb, Dnnl.channelBlockedTag()}) {
      Primitive other;
      try (MemoryDesc fallback = MemoryDesc.tagged(tag, dims)) {
        other = create.apply(fallback);
      } catch (DnnlException e) {
        continue;
      }
      if (!other.implementation().startsWith("ref")) {
        primitive.close();
        return other;
      }
      other.close();
    }
    return primitive;
  }

  /**
   * The implementations oneDNN offers for the descriptor {@code factory} fills in, best first by oneDNN's own
   * ranking, up to {@code limit} of them. Left out, before their code is generated: the slow reference
   * implementations (unless there is nothing else) and a kernel's versions for older instruction sets
   * ("jit:sse41" after "jit:avx2"), which are never faster. Which of the rest runs fastest depends on the
   * shapes and the machine, so callers may time them ({@link Plan#timeOnZeros}).
   *
   * <p>The post-ops are those of {@link #create}, and {@code addend}, when not null: a tensor in that layout
   * added to the output before the activation, read from execution argument {@link #ADDEND} (oneDNN's binary
   * post-op), where the sum post-op adds what the destination holds.
   */
  public static List<Primitive> candidates(String what, boolean sumIntoDst, MemoryDesc addend, Activation activation,
      DescriptorFactory factory, int limit) {
    dnnl_primitive_desc first = describe(what, sumIntoDst, addend, activation, factory);
    if (!fitsOneThread(first)) return candidates(first, what, limit, OpenMp.defaultThreads());
    return OpenMp.onThreads(1, () -> candidates(describe(what, sumIntoDst, addend, activation, factory), what,
        limit, 1));
  }

  /** The candidates from {@code iterator}, which this destroys. */
  private static List<Primitive> candidates(dnnl_primitive_desc iterator, String what, int limit, int threads) {
    List<Primitive> found = new ArrayList<>();
    Set<String> kernels = new HashSet<>();
    try {
      do {
        String implementation = implementation(iterator, what);
        String kernel = withoutInstructionSet(implementation);
        if (!found.isEmpty() && (implementation.startsWith("ref") || kernels.contains(kernel))) continue;
        kernels.add(kernel);
        dnnl_primitive_desc copy = new dnnl_primitive_desc();
        Dnnl.check(dnnl_primitive_desc_clone(copy, iterator), "copying the descriptor of " + what);
        found.add(fromDescriptor(copy, what, threads));
      } while (found.size() < limit && dnnl_primitive_desc_next_impl(iterator) == dnnl_success);
    } catch (RuntimeException e) {
      for (Primitive p : found) p.close();
      throw e;
    } finally {
      dnnl_primitive_desc_destroy(iterator);
    }
    return found;
  }

  /** "jit" for "jit:avx2" and "jit:sse41"; names without an instruction set ("x64:gemm:jit") stay whole. */
  static String withoutInstructionSet(String implementation) {
    int colon = implementation.lastIndexOf(':');
    String last = implementation.substring(colon + 1);
    boolean isa = last.startsWith("sse") || last.startsWith("avx") || last.startsWith("amx");
    return colon > 0 && isa ? implementation.substring(0, colon) : implementation;
  }

  /** A primitive descriptor made by {@code factory} with a user-managed scratchpad and the post-ops. */
  private static dnnl_primitive_desc describe(String what, boolean sumIntoDst, MemoryDesc addend,
      Activation activation, DescriptorFactory factory) {
    dnnl_primitive_desc descriptor = new dnnl_primitive_desc();
    dnnl_primitive_attr attributes = new dnnl_primitive_attr();
    Dnnl.check(dnnl_primitive_attr_create(attributes), "creating primitive attributes");
    try {
      Dnnl.check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user),
          "setting the scratchpad mode");
      if (sumIntoDst || addend != null || activation != null) addPostOps(attributes, sumIntoDst, addend, activation);
      Dnnl.check(factory.create(descriptor, attributes), "creating the descriptor of " + what);
    } finally {
      dnnl_primitive_attr_destroy(attributes);
    }
    return descriptor;
  }

  /** The primitive of {@code descriptor}, which it then owns (and destroys here if creation fails). */
  private static Primitive fromDescriptor(dnnl_primitive_desc descriptor, String what, int threads) {
    dnnl_primitive primitive = new dnnl_primitive();
    int status = dnnl_primitive_create(primitive, descriptor);
    if (status != dnnl_success) {
      dnnl_primitive_desc_destroy(descriptor);
      Dnnl.check(status, "creating " + what);
    }
    return new Primitive(descriptor, primitive, what, threads);
  }

  private static void addPostOps(dnnl_primitive_attr attributes, boolean sumIntoDst, MemoryDesc addend,
      Activation activation) {
    if (sumIntoDst && addend != null) throw new IllegalArgumentException("a residual is summed one way");
    dnnl_post_ops postOps = new dnnl_post_ops();
    Dnnl.check(dnnl_post_ops_create(postOps), "creating post-ops");
    try {
      if (sumIntoDst) {
        Dnnl.check(dnnl_post_ops_append_sum(postOps, 1f, 0, dnnl_data_type_undef), "adding a sum post-op");
      }
      if (addend != null) {
        Dnnl.check(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, addend.handle()),
            "adding a binary add post-op");
      }
      if (activation != null) {
        Dnnl.check(dnnl_post_ops_append_eltwise(postOps, algorithm(activation.kind()), activation.alpha(),
            activation.beta()), "adding an eltwise post-op (" + activation + ")");
      }
      Dnnl.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "setting post-ops");
    } finally {
      dnnl_post_ops_destroy(postOps);
    }
  }

  /**
   * oneDNN's eltwise algorithm for each kind, with the same alpha and beta. clip_v2 computes x &lt;= alpha ?
   * alpha : x &gt; beta ? beta : x, the same as Clip's min(max(...)); relu with alpha is a leaky ReLU; swish is
   * x * sigmoid(alpha * x), so alpha 1; hardswish and hardsigmoid take ONNX's alpha and beta as they are.
   */
  static int algorithm(Activation.Kind kind) {
    return switch (kind) {
      case CLAMP -> dnnl_eltwise_clip_v2;
      case LEAKY_RELU -> dnnl_eltwise_relu;
      case ELU -> dnnl_eltwise_elu;
      case TANH -> dnnl_eltwise_tanh;
      case SIGMOID -> dnnl_eltwise_logistic;
      case HARD_SIGMOID -> dnnl_eltwise_hardsigmoid;
      case SWISH -> dnnl_eltwise_swish;
      case HARD_SWISH -> dnnl_eltwise_hardswish;
      case GELU -> dnnl_eltwise_gelu_erf;
    };
  }

  /** A reorder between two layouts of the same dimensions. */
  public static Primitive reorder(MemoryDesc from, MemoryDesc to) {
    return create("reorder", (pd, attr) ->
        dnnl_reorder_primitive_desc_create(pd, from.handle(), Dnnl.engine(), to.handle(), Dnnl.engine(), attr));
  }

  /** A reorder that adds to what the destination holds (oneDNN's sum post-op). */
  public static Primitive reorderAdding(MemoryDesc from, MemoryDesc to) {
    return create("reorder adding", true, null, (pd, attr) ->
        dnnl_reorder_primitive_desc_create(pd, from.handle(), Dnnl.engine(), to.handle(), Dnnl.engine(), attr));
  }

  /**
   * The layout the primitive chose for one of its arguments, e.g. {@code dnnl_query_src_md}; a view valid
   * while this primitive is open.
   */
  public MemoryDesc md(int query) {
    if (closed) throw new IllegalStateException(what + " used after close");
    return MemoryDesc.view(dnnl_primitive_desc_query_md(descriptor, query, 0));
  }

  /** The layout the primitive chose for execution argument {@code arg}, e.g. {@code DNNL_ARG_SRC}. */
  public MemoryDesc argMd(int arg) {
    if (closed) throw new IllegalStateException(what + " used after close");
    return MemoryDesc.view(dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, arg));
  }

  /** oneDNN's name for the implementation, e.g. "jit:avx2" or "brgconv_strided:avx2". */
  public String implementation() {
    if (closed) throw new IllegalStateException(what + " used after close");
    return implementation(descriptor, what);
  }

  private static String implementation(dnnl_primitive_desc descriptor, String what) {
    try (PointerPointer<?> result = new PointerPointer<>(1)) {
      Dnnl.check(dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, result),
          "querying the implementation of " + what);
      return new BytePointer(result.get(0)).getString();
    }
  }

  /** Bytes of scratch memory an execution needs (zero when none). */
  public long scratchpadBytes() {
    return scratchpadBytes;
  }

  MemoryDesc scratchpadMd() {
    if (closed) throw new IllegalStateException(what + " used after close");
    return scratchpadMd;
  }

  dnnl_primitive handle() {
    if (closed) throw new IllegalStateException(what + " used after close");
    return primitive;
  }

  String what() {
    return what;
  }

  int threads() {
    return threads;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    Dnnl.check(dnnl_primitive_destroy(primitive), "destroying " + what);
    Dnnl.check(dnnl_primitive_desc_destroy(descriptor), "destroying the descriptor of " + what);
  }
}
