/**
 * What single units of a network respond to: the investigation of hidden units, one class per method, each
 * citing its paper.
 *
 * <ul>
 *   <li>{@link org.convscope.units.NetworkDissection}: a unit's activation map, upsampled and thresholded at a
 *       quantile of its activations over a dataset ({@link org.convscope.units.ChannelQuantiles}, exact, in
 *       bounded memory) or within each image, as a mask over the images where the unit fires most.</li>
 *   <li>{@link org.convscope.units.MaximallyActivatingPatches}: one streaming pass over a dataset keeps the top K
 *       activations of every chosen channel ({@link org.convscope.units.TopActivations}) and maps each back to
 *       the input through the layer's exact receptive field.</li>
 *   <li>{@link org.convscope.units.GradientAscent}: the image that maximizes an
 *       {@link org.convscope.units.Objective} (a class score, a channel, a neuron), with optional L2, jitter, blur,
 *       total variation, clipping, and Lucid's decorrelated Fourier parameterization with its colour decorrelation
 *       for RGB models.</li>
 *   <li>{@link org.convscope.units.DeepDream}: a layer's activations amplified on a given image, over octaves.</li>
 *   <li>{@link org.convscope.units.FiringRates}: in how many images of a dataset each unit of a layer fires, to
 *       rank the units before opening them.</li>
 * </ul>
 *
 * <p>Datasets give pixels in [0,1]; the methods normalize them with the model's preprocessing. Images made by
 * gradient ascent are model inputs, in the normalized space; {@link org.convscope.input.Images#toImage} turns
 * them back into pixels. Passes over a dataset run the model only up to the chosen layer
 * ({@link org.convscope.units.LayerCut}), a batch at a time, with no backward pass; gradient ascent computes
 * the input's gradient only. Long runs report progress ({@link org.convscope.units.PassListener},
 * {@link org.convscope.units.StepListener}) and stop between batches or steps with a
 * {@link java.util.concurrent.CancellationException} when asked to. Nothing here draws: the command line lays
 * the results out with {@code org.convscope.render}.
 */
package org.convscope.units;
