package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.KryoException;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Serializer;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Serializers for the protocol's variable-length types that bound what a frame can cost before
 * they allocate. Kryo's own would allocate whatever a corrupt or hostile length asks for (its
 * {@code setMaxArraySize} is not in 5.6.2), so a 20-byte frame could make a peer allocate
 * gigabytes; and a count bounded only by the bytes left still lets one byte become an object of
 * 16 to 50 bytes (an ArrayList of empty HashMaps: 64 MiB of frame, 1.7 GB of heap). So every
 * length is checked against the bytes left, against an absolute cap, and every collection, string
 * and array charges what it will cost against the frame's {@link #budget} (a low estimate of each
 * object: at least an element's reference and a minimal object, a string's or array's header and
 * bytes).
 */
final class BoundedSerializers {
  private BoundedSerializers() {}

  /** The most elements one collection may hold (the paper's 200,000 map tasks fit five times). */
  static final int MAX_ELEMENTS = 1 << 20;
  /** The longest string, in bytes (a stack trace travels cut to 16 KiB). */
  static final int MAX_STRING_BYTES = 1 << 20;
  /** What an element of a list costs at least: its reference and the smallest object. */
  static final int LIST_ELEMENT_COST = 24;
  /** What an entry of a hash map costs at least: its node, table slot, and a smallest key and value. */
  static final int MAP_ENTRY_COST = 72;

  /**
   * What decoding a frame of {@code frameBytes} may cost: four times its bytes and a megabyte.
   * Honest frames cost one to three times theirs (a job's splits: about three; a jar's bytes: one);
   * small ones with many boxed numbers more, which the megabyte covers.
   */
  static long budget(int frameBytes) {
    return 4L * frameBytes + (1 << 20);
  }

  private static final String BUDGET = "mapreduce.decode-budget";

  /** What a decode in progress has left to spend. */
  private static final class Budget {
    final long total;
    long left;

    Budget(long total) {
      this.total = total;
      this.left = total;
    }
  }

  @SuppressWarnings("unchecked")
  static void startBudget(Kryo kryo, long bytes) {
    kryo.getContext().put(BUDGET, new Budget(bytes));
  }

  static void endBudget(Kryo kryo) {
    kryo.getContext().remove(BUDGET);
  }

  /** Charges {@code bytes} of heap to the decode in progress (none when encoding, or in the journal). */
  static void charge(Kryo kryo, long bytes) {
    Object b = kryo.getContext().get(BUDGET);
    if (b instanceof Budget budget) {
      budget.left -= bytes;
      if (budget.left < 0) {
        throw new KryoException("frame would decode to more than " + budget.total + " bytes of objects");
      }
    }
  }

  /** A length from the wire, checked: each element takes at least one byte of what is left. */
  static int length(Input in) {
    int n = in.readVarInt(true);
    int left = in.limit() - in.position();
    if (n < 0 || n > left) {
      throw new KryoException("length " + n + " exceeds the " + left + " bytes left in the frame");
    }
    return n;
  }

  /** A length checked as {@link #length(Input)} does and against a cap. */
  static int length(Input in, int cap, String what) {
    int n = length(in);
    if (n > cap) {
      throw new KryoException(what + " of " + n + " exceeds the cap of " + cap);
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
      int n = length(in);
      charge(kryo, 16L + n);
      return in.readBytes(n);
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
      int n = length(in, MAX_STRING_BYTES, "a string");
      charge(kryo, 48L + n);
      return new String(in.readBytes(n), StandardCharsets.UTF_8);
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
      int n = length(in, MAX_ELEMENTS, "a list");
      charge(kryo, 40L + (long) n * LIST_ELEMENT_COST);
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
      int n = length(in, MAX_ELEMENTS, "a map");
      charge(kryo, 48L + (long) n * MAP_ENTRY_COST);
      HashMap map = new HashMap(Math.min(n, 1024) * 2);
      for (int i = 0; i < n; i++) {
        map.put(kryo.readClassAndObject(in), kryo.readClassAndObject(in));
      }
      return map;
    }
  }
}
