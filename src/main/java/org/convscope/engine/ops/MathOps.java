package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/**
 * Element-wise math, element-wise and reduced extremes, comparisons and logic, broadcasting and indexing
 * data ops, and the transformer pieces (LayerNormalization, GELU) that current exports of classifiers contain.
 */
final class MathOps {
  private MathOps() {}

  static void register(OpRegistry registry) {
    registry.register("Exp", spec -> new Exp());
    registry.register("Log", spec -> new Log());
    registry.register("Sqrt", spec -> new Sqrt());
    registry.register("Neg", spec -> new Neg());
    registry.register("Reciprocal", spec -> new Reciprocal());
    registry.register("Abs", spec -> new Abs());
    registry.register("Erf", spec -> new Erf());
    registry.register("Gelu", Gelu::create);
    registry.register("Pow", spec -> new Pow());
    registry.register("Mod", Mod::create);
    registry.register("Floor", spec -> new Floor());
    registry.register("Ceil", spec -> new Ceil());
    registry.register("Round", spec -> new Round());
    registry.register("Sign", spec -> new Sign());

    registry.register("Max", spec -> new Max());
    registry.register("Min", spec -> new Min());
    registry.register("Mean", spec -> new Mean());
    registry.register("ReduceMax", ReduceMax::create);
    registry.register("ReduceMin", ReduceMin::create);
    registry.register("ReduceL2", ReduceL2::create);

    registry.register("Equal", spec -> new Equal());
    registry.register("Less", spec -> new Less());
    registry.register("Greater", spec -> new Greater());
    registry.register("LessOrEqual", spec -> new LessOrEqual());
    registry.register("GreaterOrEqual", spec -> new GreaterOrEqual());
    registry.register("Not", spec -> new Not());
    registry.register("And", spec -> new And());
    registry.register("Or", spec -> new Or());
    registry.register("Xor", spec -> new Xor());

    registry.register("Expand", spec -> new Expand());
    registry.register("Tile", spec -> new Tile());
    registry.register("Where", spec -> new Where());
    registry.register("Range", spec -> new Range());
    registry.register("ScatterND", ScatterND::create);
    registry.register("Size", spec -> new Size());

    registry.register("Einsum", Einsum::create);
    registry.register("LayerNormalization", LayerNormalization::create);
  }
}
