package io.mapreduce.internal.codec;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.thirdparty.com.google.common.primitives.Primitives;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the codec of a key or value type.
 *
 * <p>Key types: {@code String} (UTF-8, so keys sort as {@code LC_ALL=C sort} does), the boxed
 * integral types (big-endian, sign bit flipped), {@code Double} and {@code Float} (IEEE bits
 * arranged to sort numerically), {@code Boolean}, {@code Character}, {@code Void}, {@code byte[]}
 * (unsigned lexicographic), enums (by ordinal, which is their natural order) and records whose
 * components are key types (component by component). Anything else is refused: its bytes would not
 * be deterministic, and grouping and partitioning compare bytes.
 *
 * <p>Value types: the same, and anything else through Kryo.
 */
public final class Codecs {
  private static final Map<Class<?>, Codec<?>> KEY_CODECS = new ConcurrentHashMap<>();

  private Codecs() {}

  /**
   * The codec of a key type.
   *
   * @throws IllegalArgumentException naming the type when it has no deterministic encoding
   */
  @SuppressWarnings("unchecked")
  public static <T> Codec<T> forKey(Class<T> type) {
    Codec<?> cached = KEY_CODECS.get(type);
    if (cached != null) {
      return (Codec<T>) cached;
    }
    Codec<T> codec = orderedCodec(type, type.getName());
    KEY_CODECS.putIfAbsent(type, codec);
    return codec;
  }

  /** The codec of a value type: an ordered codec when there is one, Kryo otherwise. */
  @SuppressWarnings("unchecked")
  public static <T> Codec<T> forValue(Class<T> type) {
    if (type == String.class) {
      // A value is only written out, never grouped: an unpaired surrogate becomes '?' as in any
      // UTF-8 writer, where a key must be refused (it would merge with other keys).
      return (Codec<T>) new StringCodec(false);
    }
    if (type == Long.class || type == long.class) {
      // Values are never compared: a count of 1 takes one byte instead of the key encoding's eight.
      return (Codec<T>) VarLongCodec.INSTANCE;
    }
    try {
      return forKey(type);
    } catch (IllegalArgumentException notAKeyType) {
      return new KryoCodec<>(type);
    }
  }

  /**
   * Long values as zigzag varints (1 to 10 bytes; small magnitudes of either sign are short):
   * deterministic, so equal values have equal bytes, but not ordered, so never for keys.
   */
  static final class VarLongCodec extends Codec<Long> {
    static final VarLongCodec INSTANCE = new VarLongCodec();

    private VarLongCodec() {
      super(Long.class);
    }

    @Override
    public boolean isOrdered() {
      return false;
    }

    @Override
    public boolean isValueLike() {
      return true;
    }

    @Override
    public int encodedSize(Long value) {
      long z = zigzag(value);
      return z == 0 ? 1 : (63 - Long.numberOfLeadingZeros(z)) / 7 + 1;
    }

    private static long zigzag(long v) {
      return (v << 1) ^ (v >> 63);
    }

    @Override
    public void write(Long value, ByteSink out, boolean nested) {
      long z = zigzag(value);
      while ((z & ~0x7FL) != 0) {
        out.writeByte((int) ((z & 0x7F) | 0x80));
        z >>>= 7;
      }
      out.writeByte((int) z);
    }

    @Override
    public Long read(ByteSource in, boolean nested) {
      byte[] a = in.array();
      int p = in.position();
      if (p < in.end() && a[p] >= 0) {
        // One byte, |value| < 64: most counts. The loop below costs several times more.
        in.skip(1);
        long z = a[p];
        return (z >>> 1) ^ -(z & 1);
      }
      long z = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = in.readByte();
        z |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return (z >>> 1) ^ -(z & 1);
        }
      }
      throw new IllegalArgumentException("corrupt long value: a varint of more than 10 bytes");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> Codec<T> orderedCodec(Class<T> type, String where) {
    Class<?> t = Primitives.wrap(type);
    Codec<?> c;
    if (t == String.class) {
      c = new StringCodec(true);
    } else if (t == Long.class) {
      c = new LongCodec();
    } else if (t == Integer.class) {
      c = new IntCodec();
    } else if (t == Short.class) {
      c = new ShortCodec();
    } else if (t == Byte.class) {
      c = new ByteCodec();
    } else if (t == Character.class) {
      c = new CharCodec();
    } else if (t == Boolean.class) {
      c = new BooleanCodec();
    } else if (t == Double.class) {
      c = new DoubleCodec();
    } else if (t == Float.class) {
      c = new FloatCodec();
    } else if (t == Void.class) {
      c = new VoidCodec();
    } else if (t == byte[].class) {
      c = new BytesCodec();
    } else if (t.isEnum()) {
      c = new EnumCodec(t);
    } else if (t.isRecord()) {
      c = new RecordCodec(t, where);
    } else {
      throw new IllegalArgumentException(where + (where.equals(type.getName()) ? "" : " (" + type.getName() + ")")
          + " has no deterministic byte encoding, and keys are grouped and partitioned by their bytes;"
          + " use String, a boxed primitive, an enum, byte[] or a record of those");
    }
    return (Codec<T>) c;
  }

  // Nested byte strings: 0x00 is escaped as 00 FF and the end is marked 00 01, so a shorter
  // string sorts before its extensions and concatenated components still compare one by one.
  static void writeEscaped(byte[] bytes, ByteSink out) {
    for (byte b : bytes) {
      out.writeByte(b);
      if (b == 0) {
        out.writeByte(0xff);
      }
    }
    out.writeByte(0);
    out.writeByte(1);
  }

  static byte[] readEscaped(ByteSource in) {
    ByteSink sink = new ByteSink(32);
    while (true) {
      int b = in.readByte();
      if (b != 0) {
        sink.writeByte(b);
        continue;
      }
      int next = in.readByte();
      if (next == 1) {
        return java.util.Arrays.copyOf(sink.array(), sink.length());
      }
      if (next != 0xff) {
        throw new IllegalArgumentException("corrupt escaped bytes: 00 followed by " + next);
      }
      sink.writeByte(0);
    }
  }

  static byte[] readRest(ByteSource in) {
    byte[] out = java.util.Arrays.copyOfRange(in.array(), in.position(), in.end());
    in.skip(out.length);
    return out;
  }

  static final class StringCodec extends Codec<String> {
    private final boolean refuseUnpairedSurrogates;

    StringCodec(boolean refuseUnpairedSurrogates) {
      super(String.class);
      this.refuseUnpairedSurrogates = refuseUnpairedSurrogates;
    }

    /** The UTF-8 length, counted from the chars (a surrogate pair is four bytes, two chars). */
    @Override
    public int encodedSize(String value) {
      int n = value.length();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c >= 0x80) {
          n += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
        }
      }
      return n;
    }

    @Override
    public void write(String value, ByteSink out, boolean nested) {
      if (refuseUnpairedSurrogates) {
        checkWellFormed(value);
      }
      if (nested) {
        writeEscaped(value.getBytes(StandardCharsets.UTF_8), out);
      } else {
        out.writeUtf8(value);
      }
    }

    @Override
    public String read(ByteSource in, boolean nested) {
      if (nested) {
        return new String(readEscaped(in), StandardCharsets.UTF_8);
      }
      String s = new String(in.array(), in.position(), in.end() - in.position(), StandardCharsets.UTF_8);
      in.skip(in.end() - in.position());
      return s;
    }
  }

  /** UTF-8 has no encoding for an unpaired surrogate: Java's encoder would write '?' instead. */
  static void checkWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new IllegalArgumentException(String.format(
            "key has an unpaired surrogate U+%04X at index %d, which UTF-8 cannot encode (was a surrogate pair cut?): %s",
            (int) c, i, s.length() > 200 ? s.substring(0, 200) + "..." : s));
      }
    }
  }

  static final class BytesCodec extends Codec<byte[]> {
    BytesCodec() {
      super(byte[].class);
    }

    /** Arrays are mutable and compare by identity. */
    @Override
    public boolean isValueLike() {
      return false;
    }

    @Override
    public void write(byte[] value, ByteSink out, boolean nested) {
      if (nested) {
        writeEscaped(value, out);
      } else {
        out.write(value, 0, value.length);
      }
    }

    @Override
    public byte[] read(ByteSource in, boolean nested) {
      return nested ? readEscaped(in) : readRest(in);
    }
  }

  static final class LongCodec extends Codec<Long> {
    LongCodec() {
      super(Long.class);
    }

    @Override
    public int encodedSize(Long value) {
      return 8;
    }

    @Override
    public void write(Long value, ByteSink out, boolean nested) {
      out.writeLong(value ^ Long.MIN_VALUE);
    }

    @Override
    public Long read(ByteSource in, boolean nested) {
      return in.readLong() ^ Long.MIN_VALUE;
    }
  }

  static final class IntCodec extends Codec<Integer> {
    IntCodec() {
      super(Integer.class);
    }

    @Override
    public int encodedSize(Integer value) {
      return 4;
    }

    @Override
    public void write(Integer value, ByteSink out, boolean nested) {
      out.writeInt(value ^ Integer.MIN_VALUE);
    }

    @Override
    public Integer read(ByteSource in, boolean nested) {
      return in.readInt() ^ Integer.MIN_VALUE;
    }
  }

  static final class ShortCodec extends Codec<Short> {
    ShortCodec() {
      super(Short.class);
    }

    @Override
    public int encodedSize(Short value) {
      return 2;
    }

    @Override
    public void write(Short value, ByteSink out, boolean nested) {
      out.writeShort(value ^ 0x8000);
    }

    @Override
    public Short read(ByteSource in, boolean nested) {
      return (short) (in.readShort() ^ 0x8000);
    }
  }

  static final class ByteCodec extends Codec<Byte> {
    ByteCodec() {
      super(Byte.class);
    }

    @Override
    public int encodedSize(Byte value) {
      return 1;
    }

    @Override
    public void write(Byte value, ByteSink out, boolean nested) {
      out.writeByte(value ^ 0x80);
    }

    @Override
    public Byte read(ByteSource in, boolean nested) {
      return (byte) (in.readByte() ^ 0x80);
    }
  }

  static final class CharCodec extends Codec<Character> {
    CharCodec() {
      super(Character.class);
    }

    @Override
    public int encodedSize(Character value) {
      return 2;
    }

    @Override
    public void write(Character value, ByteSink out, boolean nested) {
      out.writeShort(value);
    }

    @Override
    public Character read(ByteSource in, boolean nested) {
      return (char) in.readShort();
    }
  }

  static final class BooleanCodec extends Codec<Boolean> {
    BooleanCodec() {
      super(Boolean.class);
    }

    @Override
    public int encodedSize(Boolean value) {
      return 1;
    }

    @Override
    public void write(Boolean value, ByteSink out, boolean nested) {
      out.writeByte(value ? 1 : 0);
    }

    @Override
    public Boolean read(ByteSource in, boolean nested) {
      return in.readByte() != 0;
    }
  }

  static final class DoubleCodec extends Codec<Double> {
    DoubleCodec() {
      super(Double.class);
    }

    @Override
    public int encodedSize(Double value) {
      return 8;
    }

    @Override
    public void write(Double value, ByteSink out, boolean nested) {
      long bits = Double.doubleToLongBits(value);
      out.writeLong(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
    }

    @Override
    public Double read(ByteSource in, boolean nested) {
      long v = in.readLong();
      return Double.longBitsToDouble(v < 0 ? v ^ Long.MIN_VALUE : ~v);
    }
  }

  static final class FloatCodec extends Codec<Float> {
    FloatCodec() {
      super(Float.class);
    }

    @Override
    public int encodedSize(Float value) {
      return 4;
    }

    @Override
    public void write(Float value, ByteSink out, boolean nested) {
      int bits = Float.floatToIntBits(value);
      out.writeInt(bits < 0 ? ~bits : bits ^ Integer.MIN_VALUE);
    }

    @Override
    public Float read(ByteSource in, boolean nested) {
      int v = in.readInt();
      return Float.intBitsToFloat(v < 0 ? v ^ Integer.MIN_VALUE : ~v);
    }
  }

  static final class VoidCodec extends Codec<Void> {
    VoidCodec() {
      super(Void.class);
    }

    @Override
    public int encodedSize(Void value) {
      return 0;
    }

    @Override
    public void write(Void value, ByteSink out, boolean nested) {}

    @Override
    public Void read(ByteSource in, boolean nested) {
      return null;
    }
  }

  static final class EnumCodec<E extends Enum<E>> extends Codec<E> {
    private final E[] constants;

    EnumCodec(Class<E> type) {
      super(type);
      this.constants = type.getEnumConstants();
    }

    @Override
    public int encodedSize(E value) {
      return 4;
    }

    @Override
    public void write(E value, ByteSink out, boolean nested) {
      out.writeInt(value.ordinal());
    }

    @Override
    public E read(ByteSource in, boolean nested) {
      int ordinal = in.readInt();
      if (ordinal < 0 || ordinal >= constants.length) {
        throw new IllegalArgumentException("no constant " + ordinal + " in " + type().getName());
      }
      return constants[ordinal];
    }
  }

  static final class RecordCodec<R> extends Codec<R> {
    private final List<Codec<Object>> components = new ArrayList<>();
    private final List<MethodHandle> accessors = new ArrayList<>();
    private final MethodHandle constructor;
    private final boolean valueLike;

    @SuppressWarnings("unchecked")
    RecordCodec(Class<R> type, String where) {
      super(type);
      RecordComponent[] rc = type.getRecordComponents();
      Class<?>[] types = new Class<?>[rc.length];
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      try {
        for (int i = 0; i < rc.length; i++) {
          types[i] = rc[i].getType();
          Codec<Object> component = (Codec<Object>) orderedCodec(rc[i].getType(), where + "." + rc[i].getName());
          if (rc[i].isAnnotationPresent(io.mapreduce.Descending.class)) {
            component = descending(component);
          }
          components.add(component);
          var accessor = rc[i].getAccessor();
          accessor.setAccessible(true);
          accessors.add(lookup.unreflect(accessor).asType(java.lang.invoke.MethodType.methodType(Object.class, Object.class)));
        }
        var ctor = type.getDeclaredConstructor(types);
        ctor.setAccessible(true);
        constructor = lookup.unreflectConstructor(ctor).asSpreader(Object[].class, rc.length)
            .asType(java.lang.invoke.MethodType.methodType(Object.class, Object[].class));
        // The generated equals compares components; one the user wrote may not.
        valueLike = components.stream().allMatch(Codec::isValueLike) && !declares(type, "equals", Object.class)
            && !declares(type, "hashCode");
      } catch (ReflectiveOperationException | RuntimeException e) {
        if (e instanceof IllegalArgumentException iae) {
          throw iae;
        }
        throw new IllegalArgumentException(where + ": cannot access the record's components: " + e, e);
      }
    }

    /** The same record with other codecs for its components. */
    private RecordCodec(RecordCodec<R> base, List<Codec<Object>> components) {
      super(base.type());
      this.components.addAll(components);
      this.accessors.addAll(base.accessors);
      this.constructor = base.constructor;
      this.valueLike = base.valueLike;
    }

    /**
     * The record in decreasing order: each component reversed. Bit-flipping is bytewise, so these
     * are the bytes of the whole encoding flipped, and the components stay readable one by one
     * (grouping by a prefix measures them).
     */
    RecordCodec<R> reversed() {
      return new RecordCodec<>(this, components.stream().map(Codecs::descending).toList());
    }

    private static boolean declares(Class<?> type, String name, Class<?>... parameters) {
      try {
        type.getDeclaredMethod(name, parameters);
        return true;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }

    @Override
    public boolean isValueLike() {
      return valueLike;
    }

    @Override
    public void write(R value, ByteSink out, boolean nested) {
      for (int i = 0; i < components.size(); i++) {
        Object v;
        try {
          v = accessors.get(i).invokeExact((Object) value);
        } catch (Throwable t) {
          throw new IllegalStateException("reading a component of " + type().getName(), t);
        }
        if (v == null && components.get(i).type() != (Class<?>) Void.class) {
          throw new NullPointerException("component " + i + " of key " + type().getName() + " is null");
        }
        components.get(i).write(v, out, true);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public R read(ByteSource in, boolean nested) {
      Object[] args = new Object[components.size()];
      for (int i = 0; i < args.length; i++) {
        args[i] = components.get(i).read(in, true);
      }
      try {
        return (R) constructor.invokeExact(args);
      } catch (Throwable t) {
        throw new IllegalStateException("constructing " + type().getName(), t);
      }
    }
  }

  /**
   * The same values in decreasing order: the nested (self-delimiting) encoding with every bit
   * flipped. Where no encoding is a prefix of another, flipping the bits reverses the order of the
   * first byte that differs, and so the order of the whole.
   */
  public static <T> Codec<T> descending(Codec<T> inner) {
    if (inner instanceof DescendingCodec<T> d) {
      return d.inner;
    }
    if (inner instanceof RecordCodec<T> record) {
      return record.reversed();
    }
    if (!inner.isOrdered()) {
      throw new IllegalArgumentException(inner.type().getName() + " has no order to reverse");
    }
    return new DescendingCodec<>(inner);
  }

  static final class DescendingCodec<T> extends Codec<T> {
    final Codec<T> inner;
    private final ThreadLocal<ByteSink> scratch = ThreadLocal.withInitial(() -> new ByteSink(64));
    private final ThreadLocal<ByteSource> flipped = ThreadLocal.withInitial(ByteSource::new);

    DescendingCodec(Codec<T> inner) {
      super(inner.type());
      this.inner = inner;
    }

    @Override
    public boolean isValueLike() {
      return inner.isValueLike();
    }

    @Override
    public void write(T value, ByteSink out, boolean nested) {
      ByteSink tmp = scratch.get();
      tmp.clear();
      inner.write(value, tmp, true);
      byte[] b = tmp.array();
      for (int i = 0; i < tmp.length(); i++) {
        out.writeByte(~b[i]);
      }
    }

    @Override
    public T read(ByteSource in, boolean nested) {
      // Flip what is left, read one nested value from it, and consume as much of the original.
      int from = in.position();
      int length = in.end() - from;
      ByteSink tmp = scratch.get();
      tmp.clear();
      byte[] src = in.array();
      for (int i = 0; i < length; i++) {
        tmp.writeByte(~src[from + i]);
      }
      ByteSource f = flipped.get().reset(tmp.array(), 0, length);
      T value = inner.read(f, true);
      in.skip(f.position());
      return value;
    }

    @Override
    public String toString() {
      return "Descending[" + inner + "]";
    }
  }

  /**
   * The length of the first {@code components} components of an encoded record key: the bytes a
   * grouping by that prefix compares and partitions by.
   */
  public static int prefixLength(Codec<?> recordCodec, int components, ByteSource scratch, byte[] key, int offset,
      int length) {
    if (!(recordCodec instanceof RecordCodec<?> rc)) {
      throw new IllegalArgumentException("keys of type " + recordCodec.type().getName() + " have no components to"
          + " group by");
    }
    scratch.reset(key, offset, length);
    for (int i = 0; i < components; i++) {
      rc.components.get(i).read(scratch, true);
    }
    return scratch.position() - offset;
  }

  /** The number of components of a record key type, or -1 for other types. */
  public static int componentCount(Codec<?> codec) {
    return codec instanceof RecordCodec<?> rc ? rc.components.size() : -1;
  }

  /** Values of types without an ordered codec, through Kryo; one Kryo per thread. */
  static final class KryoCodec<T> extends Codec<T> {
    private final ThreadLocal<Kryo> kryo = ThreadLocal.withInitial(JobKryo::newValueKryo);
    private final ThreadLocal<Output> output = ThreadLocal.withInitial(() -> new Output(256, -1));
    private final ThreadLocal<Input> input = ThreadLocal.withInitial(Input::new);

    KryoCodec(Class<T> type) {
      super(type);
    }

    @Override
    public boolean isOrdered() {
      return false;
    }

    // A value of exactly the declared type needs no class name. Any other (an ArrayList for the
    // value type List, a subclass, or null) carries its class, or it could not be read back.
    private static final int EXACT_TYPE = 0;
    private static final int WITH_CLASS = 1;

    @Override
    public void write(T value, ByteSink out, boolean nested) {
      Output o = output.get();
      o.reset();
      if (value != null && value.getClass() == type()) {
        o.writeByte(EXACT_TYPE);
        kryo.get().writeObject(o, value);
      } else {
        o.writeByte(WITH_CLASS);
        kryo.get().writeClassAndObject(o, value);
      }
      out.write(o.getBuffer(), 0, o.position());
    }

    @Override
    public T read(ByteSource in, boolean nested) {
      Input i = input.get();
      i.setBuffer(in.array(), in.position(), in.end() - in.position());
      int tag = i.readByte();
      T value;
      if (tag == EXACT_TYPE) {
        value = kryo.get().readObject(i, type());
      } else if (tag == WITH_CLASS) {
        value = type().cast(kryo.get().readClassAndObject(i));
      } else {
        throw new IllegalArgumentException("corrupt " + type().getName() + " value: tag " + tag);
      }
      in.skip(i.position() - in.position());
      return value;
    }
  }
}
