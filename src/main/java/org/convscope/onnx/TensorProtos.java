package org.convscope.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.convscope.engine.InvalidModelException;
import org.convscope.onnx.proto.Onnx.StringStringEntryProto;
import org.convscope.onnx.proto.Onnx.TensorProto;
import org.convscope.onnx.proto.Onnx.TensorProto.DataType;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;

/**
 * Converts between ONNX TensorProto and {@link Tensor}. Floating types become float32 tensors; integer and
 * boolean types become int64 tensors, which is all that shape arithmetic needs. Data may be inline (typed
 * fields or raw little-endian bytes) or in an external file beside the model.
 */
public final class TensorProtos {
  private TensorProtos() {}

  /** The engine's element type for an ONNX data type, or null if the engine cannot hold it. */
  public static DType dtypeOf(int onnxType) {
    DataType t = DataType.forNumber(onnxType);
    if (t == null) return null;
    return switch (t) {
      case FLOAT, DOUBLE, FLOAT16, BFLOAT16 -> DType.FLOAT;
      case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL -> DType.INT64;
      default -> null;
    };
  }

  /**
   * Decodes a tensor.
   *
   * @param baseDir the model's folder, where external data files are looked up
   */
  public static Tensor toTensor(TensorProto proto, Path baseDir) {
    int[] shape = new int[proto.getDimsCount()];
    for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(proto.getDims(i));
    DataType type = DataType.forNumber(proto.getDataType());
    String name = proto.getName().isEmpty() ? "(unnamed)" : proto.getName();
    if (type == null || dtypeOf(proto.getDataType()) == null) {
      throw new InvalidModelException("tensor '" + name + "' has data type " + (type == null ? proto.getDataType() : type)
          + ", which ConvScope does not support (float and integer types only)");
    }
    int count = Math.toIntExact(org.convscope.tensor.Shapes.size(shape));
    ByteBuffer raw = null;
    if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      raw = readExternal(proto, baseDir, name);
    } else if (proto.hasRawData()) {
      raw = proto.getRawData().asReadOnlyByteBuffer();
    }
    if (raw != null) {
      raw.order(ByteOrder.LITTLE_ENDIAN);
      int need = count * bytesPerElement(type);
      if (raw.remaining() < need) {
        throw new InvalidModelException("tensor '" + name + "' should hold " + need + " bytes of data but has " + raw.remaining());
      }
      return fromRaw(raw, type, shape, count);
    }
    return fromTypedFields(proto, type, shape, count, name);
  }

  private static int bytesPerElement(DataType type) {
    return switch (type) {
      case DOUBLE, INT64, UINT64 -> 8;
      case FLOAT, INT32, UINT32 -> 4;
      case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
      default -> 1;
    };
  }

  private static Tensor fromRaw(ByteBuffer raw, DataType type, int[] shape, int count) {
    if (dtypeOf(type.getNumber()) == DType.FLOAT) {
      float[] out = new float[count];
      switch (type) {
        case FLOAT -> raw.asFloatBuffer().get(out);
        case DOUBLE -> { for (int i = 0; i < count; i++) out[i] = (float) raw.getDouble(raw.position() + 8 * i); }
        case FLOAT16 -> { for (int i = 0; i < count; i++) out[i] = halfToFloat(raw.getShort(raw.position() + 2 * i)); }
        default -> { for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat(raw.getShort(raw.position() + 2 * i) << 16); }
      }
      return Tensor.of(out, shape);
    }
    long[] out = new long[count];
    int p = raw.position();
    for (int i = 0; i < count; i++) {
      out[i] = switch (type) {
        case INT64, UINT64 -> raw.getLong(p + 8 * i);
        case INT32 -> raw.getInt(p + 4 * i);
        case UINT32 -> raw.getInt(p + 4 * i) & 0xffffffffL;
        case INT16 -> raw.getShort(p + 2 * i);
        case UINT16 -> raw.getShort(p + 2 * i) & 0xffff;
        case INT8 -> raw.get(p + i);
        default -> raw.get(p + i) & 0xff; // UINT8, BOOL
      };
    }
    return Tensor.ofLongs(out, shape);
  }

  private static Tensor fromTypedFields(TensorProto proto, DataType type, int[] shape, int count, String name) {
    int available = switch (type) {
      case FLOAT -> proto.getFloatDataCount();
      case DOUBLE -> proto.getDoubleDataCount();
      case INT64 -> proto.getInt64DataCount();
      case UINT32, UINT64 -> proto.getUint64DataCount();
      default -> proto.getInt32DataCount(); // int32 and smaller, bool, float16 bits
    };
    if (available != count) {
      throw new InvalidModelException("tensor '" + name + "' should hold " + count + " values but has " + available);
    }
    if (dtypeOf(type.getNumber()) == DType.FLOAT) {
      float[] out = new float[count];
      for (int i = 0; i < count; i++) {
        out[i] = switch (type) {
          case FLOAT -> proto.getFloatData(i);
          case DOUBLE -> (float) proto.getDoubleData(i);
          case FLOAT16 -> halfToFloat((short) proto.getInt32Data(i));
          default -> Float.intBitsToFloat(proto.getInt32Data(i) << 16);
        };
      }
      return Tensor.of(out, shape);
    }
    long[] out = new long[count];
    for (int i = 0; i < count; i++) {
      out[i] = switch (type) {
        case INT64 -> proto.getInt64Data(i);
        case UINT32, UINT64 -> proto.getUint64Data(i);
        default -> proto.getInt32Data(i);
      };
    }
    return Tensor.ofLongs(out, shape);
  }

  private static ByteBuffer readExternal(TensorProto proto, Path baseDir, String name) {
    Map<String, String> info = new HashMap<>();
    for (StringStringEntryProto e : proto.getExternalDataList()) info.put(e.getKey(), e.getValue());
    String location = info.get("location");
    if (location == null) throw new InvalidModelException("tensor '" + name + "' is stored externally but names no file");
    Path file = baseDir.resolve(location).normalize();
    if (!file.startsWith(baseDir.normalize())) {
      throw new InvalidModelException("tensor '" + name + "': external data location '" + location + "' leaves the model's folder");
    }
    long offset = Long.parseLong(info.getOrDefault("offset", "0"));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = info.containsKey("length") ? Long.parseLong(info.get("length")) : channel.size() - offset;
      if (offset + length > channel.size()) {
        throw new InvalidModelException("external data file " + file + " is truncated: tensor '" + name + "' needs bytes "
            + offset + " to " + (offset + length) + " but the file has " + channel.size());
      }
      ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(length));
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) break;
      }
      buffer.flip();
      return buffer;
    } catch (NoSuchFileException e) {
      throw new InvalidModelException("external data file " + file + " for tensor '" + name
          + "' is missing; keep it beside the model file");
    } catch (IOException e) {
      throw new InvalidModelException("cannot read external data file " + file + ": " + e.getMessage(), e);
    }
  }

  /** IEEE 754 half precision to float. */
  static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h >>> 15) << 31;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) return (sign == 0 ? 1 : -1) * mant * 0x1p-24f;
    if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Encodes a tensor as raw little-endian data: float32 or int64. */
  public static TensorProto fromTensor(String name, Tensor tensor) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name);
    for (int d : tensor.shape()) b.addDims(d);
    ByteBuffer buf;
    if (tensor.isFloat()) {
      b.setDataType(DataType.FLOAT_VALUE);
      buf = ByteBuffer.allocate(4 * tensor.size()).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(tensor.data());
    } else {
      b.setDataType(DataType.INT64_VALUE);
      buf = ByteBuffer.allocate(8 * tensor.size()).order(ByteOrder.LITTLE_ENDIAN);
      buf.asLongBuffer().put(tensor.longs());
    }
    return b.setRawData(ByteString.copyFrom(buf.array())).build();
  }

  /** Reads a serialized TensorProto file, as in the ONNX conformance data. */
  public static Tensor read(Path file) throws IOException {
    TensorProto proto = TensorProto.parseFrom(Files.readAllBytes(file));
    return toTensor(proto, file.getParent());
  }
}
