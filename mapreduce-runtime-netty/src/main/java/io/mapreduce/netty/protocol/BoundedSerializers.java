package io.mapreduce.netty.protocol;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Serializers for the protocol's variable-length types that check every length read from the
 * wire against the bytes left in the frame before allocating: Kryo's own would allocate whatever
 * a corrupt or hostile length asks for (its {@code setMaxArraySize} is not in 5.6.2), so a 20-byte
 * frame could make a peer allocate gigabytes.
 */
final class BoundedSerializers {
  private BoundedSerializers() {}

  /** A length from the wire, checked: each element takes at least one byte of what is left. */
  static int length(Input in) {
    int n = in.readVarInt(true);
    int left = in.limit() - in.position();
    if (n < 0 || n > left) {
      throw new KryoException("length " + n + " exceeds the " + left + " bytes left in the frame");
    }
    return n;
  }

  static final class Bytes extends Serializer<byte[]> {
    @Override
    public void write(Kryo kryo, Output out, byte[] b) {
      out.writeVarInt(b.length, true);
      out.writeBytes(b);
    }

    @Override
    public byte[] read(Kryo kryo, Input in, Class<? extends byte[]> type) {
      return in.readBytes(length(in));
    }
  }

  static final class Utf8 extends Serializer<String> {
    Utf8() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeVarInt(b.length, true);
      out.writeBytes(b);
    }

    @Override
    public String read(Kryo kryo, Input in, Class<? extends String> type) {
      return new String(in.readBytes(length(in)), StandardCharsets.UTF_8);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class List extends Serializer<ArrayList> {
    @Override
    public void write(Kryo kryo, Output out, ArrayList list) {
      out.writeVarInt(list.size(), true);
      for (Object o : list) {
        kryo.writeClassAndObject(out, o);
      }
    }

    @Override
    public ArrayList read(Kryo kryo, Input in, Class<? extends ArrayList> type) {
      int n = length(in);
      // Grown as elements arrive: n is only bounded by the frame, not by what it holds.
      ArrayList list = new ArrayList(Math.min(n, 1024));
      for (int i = 0; i < n; i++) {
        list.add(kryo.readClassAndObject(in));
      }
      return list;
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class HashMapSerializer extends Serializer<HashMap> {
    @Override
    public void write(Kryo kryo, Output out, HashMap map) {
      out.writeVarInt(map.size(), true);
      for (Object o : map.entrySet()) {
        Map.Entry e = (Map.Entry) o;
        kryo.writeClassAndObject(out, e.getKey());
        kryo.writeClassAndObject(out, e.getValue());
      }
    }

    @Override
    public HashMap read(Kryo kryo, Input in, Class<? extends HashMap> type) {
      int n = length(in);
      HashMap map = new HashMap(Math.min(n, 1024) * 2);
      for (int i = 0; i < n; i++) {
        map.put(kryo.readClassAndObject(in), kryo.readClassAndObject(in));
      }
      return map;
    }
  }
}
