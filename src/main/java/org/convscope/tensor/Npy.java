package org.convscope.tensor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1, 2 and 3), as {@code numpy.save} writes them.
 *
 * <p>Only little-endian data in C (row-major) order is read. Floating-point files ({@code <f4}, {@code <f8})
 * become float tensors; integer and boolean files ({@code <i8}, {@code <i4}, {@code <i2}, {@code |i1},
 * {@code <u4}, {@code <u2}, {@code |u1}, {@code |b1}) become int64 tensors. Float tensors are written as
 * {@code <f4} and int64 tensors as {@code <i8}. Every problem with a file is reported as a
 * {@link FileFormatException} naming it.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy pads the header so the data starts on a multiple of this, for memory mapping. */
  private static final int ALIGNMENT = 64;
  private static final int CHUNK_BYTES = 1 << 16;

  private Npy() {}

  /** The element types that can be read, with their numpy descr code (without the byte-order mark). */
  public enum Type {
    FLOAT32("f4", 4, "float32"),
    FLOAT64("f8", 8, "float64"),
    INT8("i1", 1, "int8"),
    INT16("i2", 2, "int16"),
    INT32("i4", 4, "int32"),
    INT64("i8", 8, "int64"),
    UINT8("u1", 1, "uint8"),
    UINT16("u2", 2, "uint16"),
    UINT32("u4", 4, "uint32"),
    BOOL("b1", 1, "bool");

    private final String code;
    private final int bytes;
    private final String numpyName;

    Type(String code, int bytes, String numpyName) {
      this.code = code;
      this.bytes = bytes;
      this.numpyName = numpyName;
    }

    /** Size of one element in bytes. */
    public int bytes() {
      return bytes;
    }

    public boolean isFloat() {
      return this == FLOAT32 || this == FLOAT64;
    }

    /** The tensor type these values are read into. */
    public DType dtype() {
      return isFloat() ? DType.FLOAT : DType.INT64;
    }

    /** The numpy name, e.g. {@code float32}. */
    @Override
    public String toString() {
      return numpyName;
    }
  }

  /**
   * What a file's header declares.
   *
   * @param type the element type
   * @param descr the descr string as written, e.g. {@code <f4}, for messages
   * @param shape the array's shape
   * @param dataOffset where the data starts, in bytes from the start of the file
   */
  public record Header(Type type, String descr, int[] shape, long dataOffset) {
    public Header {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    /** Number of elements. */
    public long count() {
      return Shapes.size(shape);
    }

    /** Number of data bytes. */
    public long dataBytes() {
      return count() * type.bytes();
    }

    /**
     * Checks that the file holds floating-point values.
     *
     * @param source the file's name, for the message
     * @return this header
     */
    public Header requireFloat(String source) throws FileFormatException {
      if (!type.isFloat()) throw new FileFormatException(source, wrongType(this, "float32"));
      return this;
    }
  }

  /** Whether a file starts with the .npy magic string (false for missing or short files). */
  public static boolean isNpy(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads a file into a float tensor (float files) or an int64 tensor (integer and boolean files). */
  public static Tensor read(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads a .npy stream; {@code source} names it in error messages.
   *
   * @see #read(Path)
   */
  public static Tensor read(InputStream in, String source) throws IOException {
    Header header = readHeader(in, source);
    return readData(in, header, source);
  }

  /**
   * Reads a file that must hold floating-point values, as a float tensor. Any other dtype fails with a message
   * such as {@code input.npy: holds int64 values (<i8); expected float32}.
   */
  public static Tensor readFloat(Path file) throws IOException {
    try (InputStream in = open(file)) {
      Header header = readHeader(in, file.toString()).requireFloat(file.toString());
      return readData(in, header, file.toString());
    }
  }

  /** Reads a file that must hold integer or boolean values (class labels, indices), as an int64 tensor. */
  public static Tensor readInt64(Path file) throws IOException {
    try (InputStream in = open(file)) {
      Header header = readHeader(in, file.toString());
      if (header.type().isFloat()) {
        throw new FileFormatException(file.toString(), wrongType(header, "integers (int64)"));
      }
      return readData(in, header, file.toString());
    }
  }

  /** Reads only a file's header, for reading its data piecewise with {@link #readFloats}. */
  public static Header readHeader(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return readHeader(in, file.toString());
    }
  }

  /**
   * Reads {@code count} float values starting at element {@code first} of a float file, without reading the
   * rest: datasets larger than memory are read one example at a time.
   *
   * @param header the file's header, from {@link #readHeader(Path)}
   */
  public static void readFloats(FileChannel channel, Header header, long first, float[] dst, int offset, int count,
      String source) throws IOException {
    header.requireFloat(source);
    if (first < 0 || count < 0 || first + count > header.count()) {
      throw new IndexOutOfBoundsException("elements [" + first + "," + (first + count) + ") of " + header.count());
    }
    int bytes = header.type().bytes();
    long position = header.dataOffset() + first * bytes;
    int capacity = (int) Math.min(CHUNK_BYTES, Math.max(bytes, (long) count * bytes));
    ByteBuffer buffer = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, buffer.capacity() / bytes);
      buffer.clear().limit(n * bytes);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, position + buffer.position()) < 0) {
          throw new FileFormatException(source, "truncated: the data ends before element " + (first + done + n)
              + " of the " + header.count() + " the header declares");
        }
      }
      buffer.flip();
      decodeFloats(buffer, header.type(), dst, offset + done, n);
      position += (long) n * bytes;
      done += n;
    }
  }

  /** Writes a tensor as {@code <f4} (float) or {@code <i8} (int64), atomically. */
  public static void write(Path file, Tensor tensor) throws IOException {
    AtomicFiles.write(file, out -> write(out, tensor));
  }

  /** Writes a tensor in .npy format to a stream. */
  public static void write(OutputStream out, Tensor tensor) throws IOException {
    out.write(headerBytes(tensor.isFloat() ? "<f4" : "<i8", tensor.shape()));
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    if (tensor.isFloat()) {
      float[] values = tensor.data();
      for (int i = 0; i < values.length; ) {
        int n = Math.min(values.length - i, CHUNK_BYTES / 4);
        buffer.clear();
        buffer.asFloatBuffer().put(values, i, n);
        out.write(buffer.array(), 0, n * 4);
        i += n;
      }
    } else {
      long[] values = tensor.longs();
      for (int i = 0; i < values.length; ) {
        int n = Math.min(values.length - i, CHUNK_BYTES / 8);
        buffer.clear();
        buffer.asLongBuffer().put(values, i, n);
        out.write(buffer.array(), 0, n * 8);
        i += n;
      }
    }
  }

  private static InputStream open(Path file) throws IOException {
    try {
      return new BufferedInputStream(Files.newInputStream(file, StandardOpenOption.READ), CHUNK_BYTES);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
  }

  private static String wrongType(Header header, String expected) {
    return "holds " + header.type() + " values (" + header.descr() + "); expected " + expected;
  }

  // ---- header ----

  private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
  private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

  private static Header readHeader(InputStream in, String source) throws IOException {
    byte[] start = in.readNBytes(8);
    if (start.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(start, MAGIC.length), MAGIC)) {
      throw new FileFormatException(source, "not a .npy file (it does not start with \\x93NUMPY)");
    }
    if (start.length < 8) throw new FileFormatException(source, "truncated .npy header");
    int major = start[6] & 0xff;
    if (major < 1 || major > 3) {
      throw new FileFormatException(source, "unsupported .npy format version " + major + "." + (start[7] & 0xff)
          + "; expected 1, 2 or 3");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] lengthField = in.readNBytes(lengthBytes);
    if (lengthField.length < lengthBytes) throw new FileFormatException(source, "truncated .npy header");
    long headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) headerLength = (headerLength << 8) | (lengthField[i] & 0xff);
    if (headerLength > 1 << 20) {
      throw new FileFormatException(source, "malformed .npy header (declares " + headerLength + " header bytes)");
    }
    byte[] text = in.readNBytes((int) headerLength);
    if (text.length < headerLength) throw new FileFormatException(source, "truncated .npy header");
    // Version 3 differs from 2 only in allowing UTF-8 in the header (structured field names).
    String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
    long dataOffset = 8 + lengthBytes + headerLength;
    return parseHeader(dict, dataOffset, source);
  }

  private static Header parseHeader(String dict, long dataOffset, String source) throws FileFormatException {
    String shown = dict.length() > 120 ? dict.substring(0, 120) + "..." : dict;
    Matcher descr = DESCR.matcher(dict);
    Matcher fortran = FORTRAN.matcher(dict);
    Matcher shape = SHAPE.matcher(dict);
    if (!dict.startsWith("{") || !dict.endsWith("}") || !fortran.find() || !shape.find()) {
      throw new FileFormatException(source, "malformed .npy header " + shown);
    }
    if (!descr.find()) {
      throw new FileFormatException(source, "structured or unreadable dtype in header " + shown
          + "; expected a plain array such as float32 ('<f4')");
    }
    if (fortran.group(1).equals("True")) {
      throw new FileFormatException(source, "stored in Fortran (column-major) order; only C order is supported "
          + "(save it with numpy.save(f, numpy.ascontiguousarray(a)))");
    }
    Type type = parseType(descr.group(1), source);
    List<Integer> dims = new ArrayList<>();
    for (String part : shape.group(1).split(",")) {
      String d = part.trim();
      if (d.endsWith("L")) d = d.substring(0, d.length() - 1); // Python 2 longs
      if (d.isEmpty()) continue;
      try {
        dims.add(Integer.parseInt(d));
      } catch (NumberFormatException e) {
        throw new FileFormatException(source, "malformed shape (" + shape.group(1) + ") in .npy header");
      }
    }
    int[] dimArray = dims.stream().mapToInt(Integer::intValue).toArray();
    long bytes = type.bytes();
    for (int d : dimArray) {
      if (d < 0) throw new FileFormatException(source, "negative dimension in shape (" + shape.group(1) + ")");
      // Guards the long arithmetic on sizes and offsets against absurd headers.
      if (d > 0 && bytes > Long.MAX_VALUE / 4 / d) {
        throw new FileFormatException(source, "shape (" + shape.group(1) + ") is too large");
      }
      bytes *= Math.max(d, 1);
    }
    return new Header(type, descr.group(1), dimArray, dataOffset);
  }

  private static Type parseType(String descr, String source) throws FileFormatException {
    String supported = "float32 ('<f4'), float64 ('<f8') or integers ('<i8', '<i4', '|u1', '|b1', ...)";
    if (descr.length() < 3) throw new FileFormatException(source, "unsupported dtype '" + descr + "'; expected " + supported);
    char order = descr.charAt(0);
    String code = descr.substring(1);
    for (Type type : Type.values()) {
      if (!type.code.equals(code)) continue;
      boolean littleEndian = order == '<' || (type.bytes == 1 && (order == '|' || order == '>'));
      if (!littleEndian) {
        throw new FileFormatException(source, "big-endian or native-order data ('" + descr + "'); only little-endian"
            + " is supported (save it with a.astype('<" + code + "'))");
      }
      return type;
    }
    throw new FileFormatException(source, "unsupported dtype '" + descr + "'; expected " + supported);
  }

  private static byte[] headerBytes(String descr, int[] shape) {
    List<String> dims = new ArrayList<>();
    for (int d : shape) dims.add(Integer.toString(d));
    // Python writes a 1-tuple as "(3,)", others as "()" or "(2, 3)".
    String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + String.join(", ", dims) + ")";
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
    // Version 1 stores the header length in 2 bytes; version 2 is only needed for headers too long for that.
    int version = 1;
    int prefix = 10;
    int padded = paddedLength(prefix, dict.length());
    if (padded - prefix > 0xffff) {
      version = 2;
      prefix = 12;
      padded = paddedLength(prefix, dict.length());
    }
    int headerLength = padded - prefix;
    ByteBuffer out = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) version).put((byte) 0);
    if (version == 1) out.putShort((short) headerLength); else out.putInt(headerLength);
    out.put(dict.getBytes(StandardCharsets.ISO_8859_1));
    while (out.position() < padded - 1) out.put((byte) ' ');
    out.put((byte) '\n');
    return out.array();
  }

  /** Magic, version, length field, dictionary and newline, padded with spaces to the alignment. */
  private static int paddedLength(int prefix, int dictLength) {
    return (prefix + dictLength + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  // ---- data ----

  private static Tensor readData(InputStream in, Header header, String source) throws IOException {
    int count;
    try {
      count = Shapes.checkedSize(header.shape());
    } catch (IllegalArgumentException e) {
      throw new FileFormatException(source, e.getMessage());
    }
    Type type = header.type();
    float[] floats = type.isFloat() ? new float[count] : null;
    long[] longs = type.isFloat() ? null : new long[count];
    byte[] chunk = new byte[(int) Math.max(type.bytes(), Math.min(CHUNK_BYTES, (long) count * type.bytes()))];
    ByteBuffer buffer = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, chunk.length / type.bytes());
      int got = in.readNBytes(chunk, 0, n * type.bytes());
      if (got < n * type.bytes()) {
        long have = (long) done * type.bytes() + got;
        throw new FileFormatException(source, "truncated: the header declares " + Shapes.toString(header.shape())
            + " " + type + " (" + header.dataBytes() + " bytes of data) but only " + have + " bytes follow");
      }
      buffer.clear().limit(n * type.bytes());
      if (floats != null) decodeFloats(buffer, type, floats, done, n); else decodeLongs(buffer, type, longs, done, n);
      done += n;
    }
    return floats != null ? Tensor.of(floats, header.shape()) : Tensor.ofLongs(longs, header.shape());
  }

  private static void decodeFloats(ByteBuffer src, Type type, float[] dst, int offset, int n) {
    if (type == Type.FLOAT32) {
      src.asFloatBuffer().get(dst, offset, n);
    } else {
      for (int i = 0; i < n; i++) dst[offset + i] = (float) src.getDouble(i * 8);
    }
  }

  private static void decodeLongs(ByteBuffer src, Type type, long[] dst, int offset, int n) {
    for (int i = 0; i < n; i++) {
      dst[offset + i] = switch (type) {
        case INT8 -> src.get(i);
        case INT16 -> src.getShort(i * 2);
        case INT32 -> src.getInt(i * 4);
        case INT64 -> src.getLong(i * 8);
        case UINT8 -> src.get(i) & 0xffL;
        case UINT16 -> src.getShort(i * 2) & 0xffffL;
        case UINT32 -> src.getInt(i * 4) & 0xffffffffL;
        case BOOL -> src.get(i) != 0 ? 1 : 0;
        case FLOAT32, FLOAT64 -> throw new IllegalArgumentException("float data decoded as integers");
      };
    }
  }
}
