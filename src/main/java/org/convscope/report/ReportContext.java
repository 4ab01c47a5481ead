package org.convscope.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.render.PngFiles;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;

/** What every section works from: the model, the data, a few sample images, and the output folder. */
public final class ReportContext {
  private final Model model;
  private final Dataset data;
  private final Path dir;
  private final Preprocessing preprocessing;
  private final int[] samples;

  /**
   * @param samples dataset indices of the images that per-image sections show
   */
  public ReportContext(Model model, Dataset data, Path dir, int[] samples) {
    this.model = model;
    this.data = data;
    this.dir = dir;
    this.preprocessing = ModelPreprocessing.of(model).withChannels(data.channels());
    this.samples = samples.clone();
  }

  /** The first image of each of the first {@code count} classes present, or the first images when unlabelled. */
  public static int[] oneSamplePerClass(Dataset data, int count) {
    List<Integer> chosen = new ArrayList<>();
    boolean[] seen = new boolean[Math.max(1, data.classNames().size())];
    for (int i = 0; i < data.size() && chosen.size() < count; i++) {
      int label = data.label(i);
      if (label < 0) {
        chosen.add(i);
      } else if (label < seen.length && !seen[label]) {
        seen[label] = true;
        chosen.add(i);
      }
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }

  public Model model() {
    return model;
  }

  public Dataset data() {
    return data;
  }

  public Path dir() {
    return dir;
  }

  public int[] samples() {
    return samples.clone();
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** Dataset images at these indices, normalized for the model: [N,C,H,W]. */
  public Tensor modelInputs(int[] indices) throws IOException {
    Batch batch = data.batch(indices);
    Tensor x = batch.images().copy();
    float[] d = x.data();
    int plane = x.dim(2) * x.dim(3);
    int channels = x.dim(1);
    for (int i = 0; i < d.length; i++) {
      int c = (i / plane) % channels;
      d[i] = (d[i] - preprocessing.mean().get(c)) / preprocessing.std().get(c);
    }
    return x;
  }

  /** Dataset images at these indices with values in [0,1], for display. */
  public Tensor pixels(int[] indices) throws IOException {
    return data.batch(indices).images();
  }

  /** Writes a PNG into the report and returns its relative path. */
  public String png(String name, BufferedImage image) throws IOException {
    PngFiles.write(image, dir.resolve(name));
    return name;
  }

  /** Writes a tensor as .npy into the report and returns its relative path. */
  public String npy(String name, Tensor tensor) throws IOException {
    Npy.write(dir.resolve(name), tensor);
    return name;
  }

  /** The class name of a label, or "unlabelled". */
  public String labelName(int label) {
    return label < 0 ? "unlabelled" : model.className(label);
  }
}
