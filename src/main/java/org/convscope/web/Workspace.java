package org.convscope.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.convscope.data.Dataset;
import org.convscope.input.Images;
import org.convscope.input.Preprocessing;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.tensor.AtomicFiles;
import org.convscope.tensor.Tensor;
import org.convscope.units.InputSpace;

/**
 * What the explorer explores: the model (with the hash of its file, which keys the cache), its layer table, the
 * dataset (optional), and the images users upload. Immutable apart from the upload folder; shared by all requests.
 */
public final class Workspace {
  /** The most pixels an uploaded image may have: 50 megapixels, 600 MB as floats at most. */
  static final long MAX_PIXELS = 50_000_000L;
  private final Model model;
  private final String modelHash;
  private final Dataset data;
  private final Preprocessing preprocessing;
  private final int[] inputShape;
  private final List<LayerInfo> layers;
  private final Path uploads;

  /**
   * @param data images with pixels in [0,1] in the model's size and channels, or null for none
   * @param uploads where uploaded images are kept, by the hash of their bytes
   */
  public Workspace(Path modelFile, Model model, Dataset data, Path uploads) throws IOException {
    this.model = model;
    this.modelHash = sha256(modelFile);
    this.data = data;
    this.preprocessing = preprocessing(model);
    this.inputShape = data != null ? new int[] {1, data.channels(), data.height(), data.width()}
        : ModelSummary.probeShape(model.inputInfo(), 224);
    this.layers = ModelSummary.layers(model.network(), inputShape);
    this.uploads = Files.createDirectories(uploads);
  }

  /** What the model records, or a guess from its input, with its channel count and, for fixed sizes, a resize to it. */
  public static Preprocessing preprocessing(Model model) {
    Preprocessing p = ModelPreprocessing.of(model);
    int[] dims = model.inputInfo().dims();
    if (dims != null && dims.length == 4 && dims[1] > 0 && dims[1] != p.channels()) p = p.withChannels(dims[1]);
    // Uploads come in any size; a model with a fixed input takes them resized to it.
    if (p.resize() instanceof Preprocessing.Keep && dims != null && dims.length == 4 && dims[2] > 0 && dims[3] > 0) {
      p = p.withResize(new Preprocessing.To(dims[2], dims[3]));
    }
    return p;
  }

  public Model model() {
    return model;
  }

  /** The SHA-256 of the model file, in hex. */
  public String modelHash() {
    return modelHash;
  }

  /** The dataset, or null when the explorer was started without one. */
  public Dataset data() {
    return data;
  }

  public boolean hasData() {
    return data != null;
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Every layer in execution order, as {@code convscope inspect} lists them. */
  public List<LayerInfo> layers() {
    return layers;
  }

  /** A layer's name in URLs and on pages: its module path, else its node's name. */
  public static String name(LayerInfo layer) {
    return layer.module() != null ? layer.module() : layer.node();
  }

  /** The layer of this name (module path or node name). */
  public LayerInfo layer(String name) {
    for (LayerInfo l : layers) if (name.equals(name(l)) || name.equals(l.node())) return l;
    throw HttpProblem.notFound("no layer named '" + name + "' in " + model.source() + "; the layers are listed at /model");
  }

  /** Layers whose output is a [1,C,H,W] map: those with units to open. */
  public List<LayerInfo> spatialLayers() {
    List<LayerInfo> out = new ArrayList<>();
    for (LayerInfo l : layers) if (l.shape().length == 4 && l.shape()[2] * l.shape()[3] > 1) out.add(l);
    return out;
  }

  /** The layer just before or after this one among the spatial layers, or null. */
  public LayerInfo neighbour(LayerInfo layer, int step) {
    List<LayerInfo> spatial = spatialLayers();
    int i = spatial.indexOf(layer);
    int j = i + step;
    return i < 0 || j < 0 || j >= spatial.size() ? null : spatial.get(j);
  }

  /** A dataset image or an uploaded one. */
  public record ImageRef(int index, String upload) {
    public static ImageRef dataset(int index) {
      return new ImageRef(index, null);
    }

    public static ImageRef uploaded(String hash) {
      return new ImageRef(-1, hash);
    }

    public boolean isUpload() {
      return upload != null;
    }

    /** The image's page. */
    public String path() {
      return isUpload() ? "/image/upload/" + upload : "/image/" + index;
    }

    /** The image as query parameters of the API and the layer page. */
    public String query() {
      return isUpload() ? "upload=" + upload : "image=" + index;
    }

    /** The image in cache keys. */
    public String id() {
      return isUpload() ? "upload:" + upload : "data:" + index;
    }

    public String describe() {
      return isUpload() ? "uploaded image " + upload.substring(0, 12) : "dataset image " + index;
    }
  }

  /** Parses a dataset index as given in a URL, checking it against the dataset. */
  public ImageRef datasetImage(String index) {
    if (data == null) throw HttpProblem.notFound("no dataset: start the explorer with --data to browse images");
    int i;
    try {
      i = Integer.parseInt(index);
    } catch (NumberFormatException e) {
      throw HttpProblem.notFound("image '" + index + "' is not a dataset index; expected a number from 0 to " + (data.size() - 1));
    }
    if (i < 0 || i >= data.size()) {
      throw HttpProblem.notFound("image " + i + " is out of range: the dataset has " + data.size() + " images (0 to " + (data.size() - 1) + ")");
    }
    return ImageRef.dataset(i);
  }

  /** Checks an upload's hash as given in a URL: it must name an image uploaded earlier. */
  public ImageRef uploadedImage(String hash) {
    if (hash == null || !hash.matches("[0-9a-f]{64}") || !Files.isRegularFile(uploads.resolve(hash))) {
      throw HttpProblem.notFound("no uploaded image '" + hash + "'; upload it again at /image");
    }
    return ImageRef.uploaded(hash);
  }

  /** The image of the {@code image=} or {@code upload=} query parameter, or null when neither is given. */
  public ImageRef imageFromQuery(String image, String upload) {
    if (upload != null && !upload.isEmpty()) return uploadedImage(upload);
    if (image != null && !image.isEmpty()) return datasetImage(image);
    return null;
  }

  /**
   * Keeps an uploaded file if it decodes as an image, under the hash of its bytes.
   *
   * @throws HttpProblem 415 when no decoder reads it
   */
  public ImageRef upload(byte[] bytes) throws IOException {
    checkPixels(bytes);
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      image = null;
    }
    if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
      throw new HttpProblem(415, "the uploaded file is not an image that can be read; expected a PNG or JPEG file");
    }
    String hash = HexFormat.of().formatHex(digest().digest(bytes));
    Path file = uploads.resolve(hash);
    if (!Files.exists(file)) AtomicFiles.write(file, out -> out.write(bytes));
    return ImageRef.uploaded(hash);
  }

  /**
   * Refuses an image whose header claims more than {@link #MAX_PIXELS} pixels before decoding it: a small file
   * can describe an image that would not fit in memory.
   */
  private static void checkPixels(byte[] bytes) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) return; // not an image: decoding says so
      ImageReader reader = readers.next();
      try {
        reader.setInput(in);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > MAX_PIXELS) {
          throw new HttpProblem(413, String.format("the image is %,d x %,d pixels; the explorer takes at most %,d pixels",
              reader.getWidth(0), reader.getHeight(0), MAX_PIXELS));
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof HttpProblem p) throw p;
        // an unreadable header: decoding reports it
      } finally {
        reader.dispose();
      }
    }
  }

  /** The image as the model takes it: [1,C,H,W], normalized. */
  public Tensor input(ImageRef ref) throws IOException {
    if (ref.isUpload()) {
      BufferedImage image = ImageIO.read(uploads.resolve(ref.upload()).toFile());
      return Images.toTensor(image, preprocessing);
    }
    return new InputSpace(preprocessing).toModel(data.batch(new int[] {ref.index()}).images());
  }

  /** The image as the user sees it, at the model's resolution. */
  public BufferedImage display(ImageRef ref) throws IOException {
    return Images.toImage(input(ref), preprocessing);
  }

  /** The dataset label's name of an image, or null for uploads and unlabelled data. */
  public String label(ImageRef ref) {
    if (ref.isUpload() || data == null) return null;
    int label = data.label(ref.index());
    return label < 0 ? null : model.className(label);
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest sha = digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
