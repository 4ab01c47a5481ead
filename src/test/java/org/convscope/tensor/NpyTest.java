package org.convscope.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  /** The shared fixtures live beside the checkout; worktrees find them at their usual place. */
  static Path fixture(String network, String file) {
    for (Path base : new Path[] {Path.of("../shared/fixtures"), Path.of("/work/shared/fixtures")}) {
      Path p = base.resolve(network).resolve(file);
      if (Files.exists(p)) return p;
    }
    throw new IllegalStateException("fixture " + network + "/" + file + " not found under ../shared/fixtures");
  }

  /** A .npy file as numpy lays it out: magic, version, little-endian header length, header text, data. */
  static byte[] npy(int major, String header, byte[] data) {
    byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int lengthBytes = major == 1 ? 2 : 4;
    ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) b.putShort((short) text.length); else b.putInt(text.length);
    return b.put(text).put(data).array();
  }

  static byte[] littleEndian(int bytesPerValue, long... values) {
    ByteBuffer b = ByteBuffer.allocate(bytesPerValue * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (bytesPerValue) {
        case 1 -> b.put((byte) v);
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  static Tensor parse(byte[] bytes) throws IOException {
    return Npy.read(new ByteArrayInputStream(bytes), "test.npy");
  }

  static String dict(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
  }

  @Test
  void readsFixtureValuesAsStoredInTheRawBytes() throws IOException {
    Path file = fixture("resnet18_bn", "input.npy");
    Tensor t = Npy.readFloat(file);
    assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
    byte[] raw = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int dataStart = 10 + (b.getShort(8) & 0xffff);
    for (int i : new int[] {0, 1, 224, 50_000, 150_527}) {
      assertEquals(b.getFloat(dataStart + 4 * i), t.data()[i], 0f, "element " + i);
    }
    // ImageNet-normalized photo: values within the range (0 - mean) / std .. (1 - mean) / std.
    for (float v : t.data()) assertTrue(v >= -2.12f && v <= 2.65f, "value " + v);
  }

  @Test
  void writingAFixtureReproducesNumpysBytes() throws IOException {
    Path file = fixture("squeezenet1_1", "input.npy");
    Path out = dir.resolve("copy.npy");
    Npy.write(out, Npy.read(file));
    assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(out));
  }

  @Test
  void readsEveryVersionAndSupportedType() throws IOException {
    Tensor f4 = parse(npy(1, dict("<f4", "(2, 2)"), littleEndianFloats(1.5f, -2f, 0f, 3.25f)));
    assertArrayEquals(new int[] {2, 2}, f4.shape());
    assertArrayEquals(new float[] {1.5f, -2f, 0f, 3.25f}, f4.data());

    ByteBuffer doubles = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-7);
    Tensor f8 = parse(npy(2, dict("<f8", "(2,)"), doubles.array()));
    assertArrayEquals(new float[] {0.1f, -7f}, f8.data());

    Tensor i8 = parse(npy(3, dict("<i8", "(3,)"), littleEndian(8, 9, -1, 1L << 40)));
    assertArrayEquals(new long[] {9, -1, 1L << 40}, i8.longs());
    assertArrayEquals(new long[] {-5, 70000}, parse(npy(1, dict("<i4", "(2,)"), littleEndian(4, -5, 70000))).longs());
    assertArrayEquals(new long[] {-3, 1000}, parse(npy(1, dict("<i2", "(2,)"), littleEndian(2, -3, 1000))).longs());
    assertArrayEquals(new long[] {255, 7}, parse(npy(1, dict("|u1", "(2,)"), littleEndian(1, 255, 7))).longs());
    assertArrayEquals(new long[] {65535}, parse(npy(1, dict("<u2", "(1,)"), littleEndian(2, 65535))).longs());
    assertArrayEquals(new long[] {4294967295L}, parse(npy(1, dict("<u4", "(1,)"), littleEndian(4, -1))).longs());
    assertArrayEquals(new long[] {-128}, parse(npy(1, dict("|i1", "(1,)"), littleEndian(1, -128))).longs());
    assertArrayEquals(new long[] {1, 0, 1}, parse(npy(1, dict("|b1", "(3,)"), littleEndian(1, 1, 0, 2))).longs());

    Tensor scalar = parse(npy(1, dict("<f4", "()"), littleEndianFloats(42f)));
    assertEquals(0, scalar.rank());
    assertEquals(42f, scalar.data()[0]);
    Tensor python2 = parse(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }", littleEndianFloats(1, 2)));
    assertArrayEquals(new int[] {1, 2}, python2.shape());
    Tensor empty = parse(npy(1, dict("<f4", "(0, 3)"), new byte[0]));
    assertArrayEquals(new int[] {0, 3}, empty.shape());
  }

  @Test
  void roundTripsFloatAndInt64WithNumpyStyleHeaders() throws IOException {
    Tensor floats = Tensor.of(new float[] {1, -0.5f, Float.NaN, Float.POSITIVE_INFINITY, 1e-30f, 3}, 2, 3);
    Tensor longs = Tensor.ofLongs(new long[] {Long.MIN_VALUE, 0, 5}, 3);
    Tensor scalar = Tensor.scalar(2.5f);
    for (Tensor t : new Tensor[] {floats, longs, scalar}) {
      Path file = dir.resolve("t.npy");
      Npy.write(file, t);
      byte[] bytes = Files.readAllBytes(file);
      int headerEnd = 10 + (bytes[8] & 0xff | (bytes[9] & 0xff) << 8);
      assertEquals(0, headerEnd % 64, "header padded to 64 bytes as numpy does");
      assertEquals('\n', bytes[headerEnd - 1]);
      Tensor back = Npy.read(file);
      assertArrayEquals(t.shape(), back.shape());
      if (t.isFloat()) assertArrayEquals(t.data(), back.data()); else assertArrayEquals(t.longs(), back.longs());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, longs);
    byte[] bytes = out.toByteArray();
    String header = new String(bytes, 10, bytes[8] & 0xff, StandardCharsets.ISO_8859_1);
    assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", header.trim());
  }

  @Test
  void readsPiecesOfAFileByPosition() throws IOException {
    float[] values = new float[40_000];
    for (int i = 0; i < values.length; i++) values[i] = i * 0.5f;
    Path file = dir.resolve("big.npy");
    Npy.write(file, Tensor.of(values, 100, 400));
    Npy.Header header = Npy.readHeader(file);
    assertEquals(Npy.Type.FLOAT32, header.type());
    assertArrayEquals(new int[] {100, 400}, header.shape());
    float[] dst = new float[20_001];
    try (FileChannel channel = FileChannel.open(file)) {
      Npy.readFloats(channel, header, 19_999, dst, 1, 20_000, file.toString());
    }
    assertArrayEquals(Arrays.copyOfRange(values, 19_999, 39_999), Arrays.copyOfRange(dst, 1, 20_001));
  }

  @Test
  void nonFloatFileWhereFloatIsRequiredNamesFileAndDtype() throws IOException {
    Path file = dir.resolve("input.npy");
    Npy.write(file, Tensor.ofLongs(new long[] {1, 2}, 2));
    FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.readFloat(file));
    assertEquals(file + ": holds int64 values (<i8); expected float32", e.getMessage());
    assertEquals(file.toString(), e.source());

    Path floats = dir.resolve("labels.npy");
    Npy.write(floats, Tensor.of(new float[] {1}, 1));
    e = assertThrows(FileFormatException.class, () -> Npy.readInt64(floats));
    assertEquals(floats + ": holds float32 values (<f4); expected integers (int64)", e.getMessage());
  }

  @Test
  void badFilesGiveOneLineErrorsNamingTheFile() throws IOException {
    byte[] good = npy(1, dict("<f4", "(2, 3)"), littleEndianFloats(1, 2, 3, 4, 5, 6));
    assertError("not a .npy file", "PK\3\4 zip archive".getBytes(StandardCharsets.ISO_8859_1));
    assertError("not a .npy file", new byte[0]);
    assertError("truncated .npy header", Arrays.copyOf(good, 9));
    assertError("truncated .npy header", Arrays.copyOf(good, 30));
    assertError("truncated: the header declares [2,3] float32 (24 bytes of data) but only 20 bytes follow",
        Arrays.copyOf(good, good.length - 4));
    byte[] version9 = good.clone();
    version9[6] = 9;
    assertError("unsupported .npy format version 9.0", version9);
    assertError("malformed .npy header", npy(1, "not a dictionary", new byte[0]));
    assertError("malformed shape", npy(1, dict("<f4", "(2, x)"), new byte[0]));
    assertError("Fortran (column-major) order",
        npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", littleEndianFloats(1, 2)));
    assertError("big-endian", npy(1, dict(">f4", "(1,)"), new byte[4]));
    assertError("unsupported dtype '<c8'", npy(1, dict("<c8", "(1,)"), new byte[8]));
    assertError("structured", npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]));
    assertError("negative dimension", npy(1, dict("<f4", "(-1,)"), new byte[0]));
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nothing.npy");
    IOException e = assertThrows(IOException.class, () -> Npy.read(missing));
    assertEquals(missing + ": no such file", e.getMessage());
  }

  private void assertError(String expected, byte[] bytes) throws IOException {
    Path file = dir.resolve("bad.npy");
    Files.write(file, bytes);
    FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(file));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  static byte[] littleEndianFloats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }
}
