/**
 * Decision explanations: which parts of an input made a classifier choose a class.
 *
 * <p>Each method is one class behind {@link org.convscope.explain.Explainer}, named after its paper, which its
 * Javadoc cites. A {@link org.convscope.explain.Query} holds what to explain (a batch, one target class per item
 * and, for the methods that read a layer, that layer) together with the recorded forward pass and the gradients
 * that several methods share. {@link org.convscope.explain.Explainers} maps the method names users type to
 * factories, for the command line and the web UI alike.
 *
 * <ul>
 *   <li>Gradient methods (saliency, input-x-gradient, smoothgrad, integrated-gradients, deconvnet,
 *       guided-backprop, guided-gradcam) return maps of the input's shape (N,C,H,W), signed and unnormalized.
 *       Deconvnet and guided backpropagation replace ReLU's backward rule for one backward pass; the model is
 *       never changed.</li>
 *   <li>Class activation maps (cam, gradcam, gradcam++, layercam, scorecam) return (N,h,w) maps at the layer's
 *       resolution, after ReLU, neither upsampled nor normalized. They share
 *       {@link org.convscope.explain.ChannelWeightedCam} and differ only in how they weight channels.</li>
 *   <li>Perturbation methods (occlusion, rise) return (N,H,W) maps at the input's resolution.</li>
 * </ul>
 *
 * <p>Faithfulness checks score the maps: {@link org.convscope.explain.DeletionInsertion},
 * {@link org.convscope.explain.PointingGame} and {@link org.convscope.explain.ModelRandomization}.
 */
package org.convscope.explain;
