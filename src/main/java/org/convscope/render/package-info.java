/**
 * Everything ConvScope draws, as {@link java.awt.image.BufferedImage}s that the CLI, a static report and a web
 * server can all use: colormaps and value ranges, heatmaps and overlays with colour bars, tile grids, figure
 * panels, line and scatter charts, confusion matrices, and atomic PNG writing.
 *
 * <p>The pieces compose: {@link org.convscope.render.Heatmaps} and {@link org.convscope.render.Tiles} turn
 * tensors into images, {@link org.convscope.render.Grid} and {@link org.convscope.render.Figure} lay images
 * out, {@link org.convscope.render.PngFiles} writes them. Inputs are plain tensors and arrays, so this package
 * depends only on {@code org.convscope.tensor} and the JDK. Drawing is headless (the {@code java.awt.headless}
 * property is set to true unless the application chose otherwise) and text uses the logical font "SansSerif",
 * which fontconfig resolves to DejaVu Sans on the machines ConvScope targets.
 */
package org.convscope.render;
