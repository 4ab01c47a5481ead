/**
 * Network inputs from files: PNG and JPEG images turned into NCHW float tensors by a {@link
 * org.convscope.input.Preprocessing} (resize or resize-and-crop with antialiased bilinear filtering, scaling to
 * [0,1], grey or RGB, per-channel normalization), and back from tensors to displayable images. {@link
 * org.convscope.input.InputLoader} is the entry point for "an input file", images and .npy alike.
 */
package org.convscope.input;
