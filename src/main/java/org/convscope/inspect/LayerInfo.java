package org.convscope.inspect;

/**
 * One row of a network's layer table.
 *
 * @param module the PyTorch module path of the node, or null when the exporter recorded none
 * @param tensor the tensor the node outputs, which is what the layer's name resolves to
 * @param shape the output's shape for a batch of one
 * @param parameters the number of weights the node reads from initializers
 * @param receptiveField the output's receptive field in input pixels, or null where it is not defined
 */
public record LayerInfo(String node, String module, String op, String tensor, int[] shape, long parameters,
    ReceptiveField receptiveField) {}
