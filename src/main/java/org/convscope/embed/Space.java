package org.convscope.embed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One feature space of a {@link FeatureDatabase}: the vectors one layer of one model gives, pooled one way,
 * compared by one metric. Spaces are kept apart in the index (each has its own vector field), so one database
 * can hold several layers and models.
 *
 * @param id a short hash of what makes the space: model content, tensor, pooling, metric
 * @param modelHash SHA-256 of the model file's bytes
 * @param modelName the model file's name, for messages
 * @param modelPath where the model file was when the space was made, to reload it for image queries
 * @param layer the layer name as the user gave it (or the default's description)
 * @param tensor the graph tensor the features are read from
 * @param dimension values per vector
 */
public record Space(String id, String modelHash, String modelName, String modelPath, String layer, String tensor,
    Pooling pooling, Metric metric, int dimension) {
  public Space {
    if (dimension < 1) throw new IllegalArgumentException("a feature space needs at least one dimension");
  }

  /** A space with its id derived from the model, tensor, pooling and metric. */
  public static Space of(String modelHash, String modelName, String modelPath, String layer, String tensor,
      Pooling pooling, Metric metric, int dimension) {
    String id = sha256(modelHash + "\n" + tensor + "\n" + pooling + "\n" + metric).substring(0, 16);
    return new Space(id, modelHash, modelName, modelPath, layer, tensor, pooling, metric, dimension);
  }

  /** For messages: "layer fc input (Flatten_0), avg, cosine, 128-d, of demo.onnx". */
  public String describe() {
    return "layer " + layer + (layer.equals(tensor) ? "" : " (" + tensor + ")") + ", " + pooling + " pooling, " + metric
        + ", " + dimension + "-d, of " + modelName;
  }

  /** The hex SHA-256 of a file's bytes: what identifies a model whatever its name or place. */
  public static String hashFile(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int read; (read = in.read(buffer)) > 0; ) digest.update(buffer, 0, read);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The hex SHA-256 of a string's UTF-8 bytes. */
  static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
