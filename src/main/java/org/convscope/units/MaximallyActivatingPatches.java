package org.convscope.units;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.convscope.data.Dataset;
import org.convscope.engine.InvalidInputException;
import org.convscope.input.Preprocessing;
import org.convscope.inspect.ReceptiveField;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * The dataset patches that activate each unit of a layer most, as Zeiler and Fergus show them ("Visualizing and
 * Understanding Convolutional Networks", ECCV 2014) after Girshick et al. ("Rich feature hierarchies for
 * accurate object detection and semantic segmentation", CVPR 2014).
 *
 * <p>One pass over the dataset, in batches, keeps the K largest activations of every chosen channel with the
 * image and position they came from ({@link TopActivations}: memory channels x K, whatever the dataset's size).
 * Each position maps back to the input through the layer's exact receptive field ({@link ReceptiveField}):
 * the patch is the part of the image the unit sees. Where the field reaches past the image border, the patch
 * is marked clipped.
 */
public final class MaximallyActivatingPatches {
  /**
   * @param channels the channels to look at, or null for all of the layer's
   * @param top how many patches per channel
   * @param onePerImage at most one patch per image and channel (its best position): K different images rather
   *     than neighbouring positions of one
   * @param batchSize images per forward pass
   */
  public record Options(int[] channels, int top, boolean onePerImage, int batchSize) {
    public Options {
      channels = channels == null ? null : channels.clone();
      if (channels != null && channels.length == 0) throw new IllegalArgumentException("no channels chosen");
      if (top < 1) throw new IllegalArgumentException("need at least one patch per channel, not " + top);
      if (batchSize < 1) throw new IllegalArgumentException("the batch size must be at least 1, not " + batchSize);
    }

    /** All channels, 9 patches each from different images, 64 images per batch. */
    public static Options defaults() {
      return new Options(null, 9, true, 64);
    }

    public Options withChannels(int... c) {
      return new Options(c, top, onePerImage, batchSize);
    }

    public Options withTop(int k) {
      return new Options(channels, k, onePerImage, batchSize);
    }

    public Options withOnePerImage(boolean one) {
      return new Options(channels, top, one, batchSize);
    }

    public Options withBatchSize(int b) {
      return new Options(channels, top, onePerImage, b);
    }
  }

  /**
   * One patch: the receptive field of the unit at the activation's position, in input pixels.
   *
   * @param label the image's class, -1 when unlabelled
   * @param top the field's first row; negative when it starts above the image
   * @param left the field's first column; negative when it starts left of the image
   * @param clipped whether the field reaches past the image border
   */
  public record Patch(TopActivations.Activation activation, int label, int top, int left, int height, int width,
      boolean clipped) {}

  /** One channel's patches, best first. */
  public record Unit(int channel, List<Patch> patches) {}

  /**
   * @param field the layer's receptive field
   * @param images how many images the pass looked at
   */
  public record Result(String layer, ReceptiveField field, int images, List<Unit> units) {}

  private MaximallyActivatingPatches() {}

  /**
   * @param preprocessing the model's normalization; the dataset's pixels are in [0,1]
   * @throws InvalidInputException for an unknown layer, one without spatial extent or receptive field, or a
   *     channel out of range
   * @throws IllegalArgumentException for an empty dataset
   * @throws java.util.concurrent.CancellationException when {@code cancelled} turns true between batches
   */
  public static Result find(Model model, Preprocessing preprocessing, Dataset data, String layer, Options options,
      PassListener listener, BooleanSupplier cancelled) {
    LayerCut cut = LayerCut.of(model, layer);
    InputSpace space = new InputSpace(preprocessing);
    DatasetPass.checkUsable(data, space);
    LayerCut.Geometry geometry = cut.geometry(new int[] {1, data.channels(), data.height(), data.width()});
    ReceptiveField field = locatable(geometry, layer);
    int[] channels = options.channels() != null ? options.channels() : IntStream.range(0, geometry.channels()).toArray();
    for (int c : channels) geometry.checkChannel(c);

    TopActivations top = new TopActivations(channels, options.top(), options.onePerImage());
    scan(cut, data, space, top, options.batchSize(), listener, cancelled);
    List<List<TopActivations.Activation>> best = new ArrayList<>();
    for (int i = 0; i < channels.length; i++) best.add(top.top(i));
    return result(layer, field, data, channels, best);
  }

  /**
   * The patches of activations found by another pass over {@code data} (Network Dissection's first pass keeps
   * each unit's best images too), without a pass of its own.
   *
   * @param best for each channel, its activations, best first
   * @throws InvalidInputException as {@link #find} does
   */
  public static Result locate(Model model, Dataset data, String layer, int[] channels, List<List<TopActivations.Activation>> best) {
    if (best.size() != channels.length) throw new IllegalArgumentException(best.size() + " lists of activations for " + channels.length + " channels");
    LayerCut.Geometry geometry = LayerCut.of(model, layer).geometry(new int[] {1, data.channels(), data.height(), data.width()});
    ReceptiveField field = locatable(geometry, layer);
    for (int c : channels) geometry.checkChannel(c);
    return result(layer, field, data, channels, best);
  }

  /** The layer's receptive field, if its units have patches to show. */
  private static ReceptiveField locatable(LayerCut.Geometry geometry, String layer) {
    geometry.requireSpatial("patches");
    ReceptiveField field = geometry.field();
    if (field == null) {
      throw new InvalidInputException("layer '" + layer + "' has no known receptive field (an op before it, such as"
          + " a resize, has no fixed window), so its patches cannot be located");
    }
    if (field.global()) {
      throw new InvalidInputException("each unit of layer '" + layer + "' sees the whole image (an op before it, such"
          + " as squeeze-and-excitation, pools globally), so it has no patches");
    }
    return field;
  }

  private static Result result(String layer, ReceptiveField field, Dataset data, int[] channels,
      List<List<TopActivations.Activation>> best) {
    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < channels.length; i++) {
      List<Patch> patches = new ArrayList<>();
      for (TopActivations.Activation a : best.get(i)) patches.add(patch(a, data, field));
      units.add(new Unit(channels[i], List.copyOf(patches)));
    }
    return new Result(layer, field, data.size(), List.copyOf(units));
  }

  /** The streaming pass: every batch's activations at the cut layer go to {@code top}. */
  static void scan(LayerCut cut, Dataset data, InputSpace space, TopActivations top, int batchSize, PassListener listener,
      BooleanSupplier cancelled) {
    DatasetPass.run(cut, data, space, batchSize, "top activations", (acts, batch) -> top.add(acts, batch.indices()),
        listener, cancelled);
  }

  private static Patch patch(TopActivations.Activation a, Dataset data, ReceptiveField field) {
    int top = field.height().first(a.y());
    int left = field.width().first(a.x());
    int height = field.height().size();
    int width = field.width().size();
    boolean clipped = top < 0 || left < 0 || top + height > data.height() || left + width > data.width();
    return new Patch(a, data.label(a.image()), top, left, height, width, clipped);
  }

  /** The crops ({@link #crop}) of one unit's patches, best first, reading their images from the dataset. */
  public static List<Tensor> crops(Dataset data, Unit unit, float fill) {
    int[] indices = unit.patches().stream().mapToInt(p -> p.activation().image()).toArray();
    Tensor images = DatasetPass.load(data, indices).images();
    List<Tensor> crops = new ArrayList<>();
    for (int i = 0; i < indices.length; i++) crops.add(crop(DatasetPass.image(images, i), unit.patches().get(i), fill));
    return crops;
  }

  /**
   * The patch's pixels, the whole field [C,height,width], cut from its image [C,H,W]; where the field reaches
   * past the border the patch holds {@code fill}, so that every patch of a layer shows at the same scale.
   */
  public static Tensor crop(Tensor image, Patch patch, float fill) {
    int channels = image.dim(0);
    int imageHeight = image.dim(1);
    int imageWidth = image.dim(2);
    float[] src = image.data();
    float[] out = new float[channels * patch.height() * patch.width()];
    int i = 0;
    for (int c = 0; c < channels; c++) {
      for (int y = patch.top(); y < patch.top() + patch.height(); y++) {
        for (int x = patch.left(); x < patch.left() + patch.width(); x++) {
          boolean inside = y >= 0 && y < imageHeight && x >= 0 && x < imageWidth;
          out[i++] = inside ? src[(c * imageHeight + y) * imageWidth + x] : fill;
        }
      }
    }
    return Tensor.of(out, channels, patch.height(), patch.width());
  }
}
