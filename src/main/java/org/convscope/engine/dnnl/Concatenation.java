package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.StringJoiner;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Held tensors joined along one axis by oneDNN's concat primitive, the result held in the layout oneDNN chooses
 * for it (the inputs' own, when they share one): DenseNet concatenates every earlier layer's features before
 * each of its layers, and its batch norm and convolution then read the result as it lies. Primitives are cached
 * by the inputs' layouts and the axis.
 */
public final class Concatenation {
  private static final LeasedCache<PlanKey, Primitive> PRIMITIVES = LeasedCache.ofCount(256);

  private record PlanKey(String layouts, int axis) {}

  private Concatenation() {}

  /** The inputs joined along {@code axis}, held; the inputs stay open. */
  public static BlockedTensor join(BlockedTensor[] inputs, int axis) {
    MemoryDesc[] layouts = new MemoryDesc[inputs.length];
    StringJoiner key = new StringJoiner(";");
    for (int i = 0; i < inputs.length; i++) {
      layouts[i] = inputs[i].layout();
      key.add(layouts[i].layoutKey());
    }
    Workspace workspace = Dnnl.workspace();
    try (Lease<Primitive> p = PRIMITIVES.acquire(new PlanKey(key.toString(), axis), k -> primitive(layouts, axis));
        ExecArgs args = new ExecArgs()) {
      Primitive primitive = p.get();
      for (int i = 0; i < inputs.length; i++) args.add(DNNL_ARG_MULTIPLE_SRC + i, layouts[i], inputs[i].buffer());
      MemoryDesc out = primitive.argMd(DNNL_ARG_DST);
      return HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DST, out, true, "concat.dst").held();
    }
  }

  private static Primitive primitive(MemoryDesc[] layouts, int axis) {
    long[] dims = layouts[0].dims();
    for (int i = 1; i < layouts.length; i++) dims[axis] += layouts[i].dims()[axis];
    String what = "concat of " + layouts.length + " tensors into " + Arrays.toString(dims) + " along axis " + axis;
    try (MemoryDesc dst = MemoryDesc.any(dims);
        PointerPointer<dnnl_memory_desc> sources = new PointerPointer<>(layouts.length)) {
      for (int i = 0; i < layouts.length; i++) sources.put(i, layouts[i].handle());
      return Primitive.create(what, (pd, attr) -> create(pd, dst, sources, layouts.length, axis, attr));
    }
  }

  /**
   * The concat's descriptor, into {@code pd}. Only the binding's PointerPointer form takes an array of source
   * descriptors, and it returns the descriptor through another PointerPointer, so it is cloned into {@code pd}.
   */
  private static int create(dnnl_primitive_desc pd, MemoryDesc dst, PointerPointer<dnnl_memory_desc> sources, int n,
      int axis, dnnl_primitive_attr attr) {
    try (PointerPointer<dnnl_primitive_desc> created = new PointerPointer<>(1)) {
      int status = dnnl_concat_primitive_desc_create(created, Dnnl.engine(), dst.handle(), n, axis, sources, attr);
      if (status != dnnl_success) return status;
      dnnl_primitive_desc made = new dnnl_primitive_desc(created.get(0));
      try {
        return dnnl_primitive_desc_clone(pd, made);
      } finally {
        dnnl_primitive_desc_destroy(made);
      }
    }
  }
}
