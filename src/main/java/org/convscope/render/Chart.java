package org.convscope.render;

import java.awt.image.BufferedImage;

/** A rendered chart and where its data lies in the image. */
public record Chart(BufferedImage image, PlotArea area) {}
