package io.mapreduce.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Key codecs round-trip and preserve order (comparing encodings as unsigned bytes agrees with the
 * natural order of the keys, checked against comparators written here), refuse types without a
 * deterministic encoding, and value codecs fall back to Kryo.
 */
class CodecsTest {
  private static final int RANDOM_VALUES = 400;

  enum Color { RED, GREEN, BLUE }

  /** An enum whose constants have bodies: their classes are anonymous subclasses. */
  enum Op {
    PLUS { int apply(int a, int b) { return a + b; } },
    TIMES { int apply(int a, int b) { return a * b; } };

    abstract int apply(int a, int b);
  }

  record Pair(String s, Long n) {}

  record Outer(Pair pair, Color color, Double d) {}

  record Prim(int i, long l, short s, byte b, char c, boolean z, double d, float f) {}

  record Blob(byte[] bytes, Integer n) {}

  record Unit() {}

  record WithList(String name, List<String> items) {}

  record HoldsWithList(Long id, WithList inner) {}

  static final class Plain {
    int x;
  }

  /** A value type with no ordered codec: it goes through Kryo. */
  static final class Point {
    int x;
    String label;
    List<Integer> tags;

    Point(int x, String label, List<Integer> tags) {
      this.x = x;
      this.label = label;
      this.tags = tags;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Point p && p.x == x && Objects.equals(p.label, label) && Objects.equals(p.tags, tags);
    }

    @Override
    public int hashCode() {
      return Objects.hash(x, label, tags);
    }
  }

  static class Animal {
    String name;

    Animal(String name) {
      this.name = name;
    }
  }

  static final class Dog extends Animal {
    int barks;

    Dog(String name, int barks) {
      super(name);
      this.barks = barks;
    }
  }

  // --- oracles -----------------------------------------------------------------------------------

  /** Unicode code point order, which is the order of UTF-8 bytes (and not String.compareTo's UTF-16 order). */
  static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  };

  static final Comparator<byte[]> UNSIGNED_BYTES = (a, b) -> {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      int x = a[i] & 0xff;
      int y = b[i] & 0xff;
      if (x != y) {
        return x - y;
      }
    }
    return a.length - b.length;
  };

  static final Comparator<Pair> PAIR_ORDER =
      Comparator.comparing(Pair::s, CODE_POINT_ORDER).thenComparing(Pair::n);

  // --- round trip and order, per type ------------------------------------------------------------

  @Test
  void string_randomIncludingSurrogatePairsAndPrivateUse_roundTripsAndSortsByCodePoint() {
    Random r = new Random(1);
    List<String> values = new ArrayList<>(List.of("", "\0", "\0\0", "a", "a\0", "ab", "\u007f", "\u0080", "\u07ff",
        "\u0800", "\ud7ff", "\ue000", "\uffff", "\ud800\udc00", "\ud835\udcb3", "\udbff\udfff", "\uffff\uffff",
        "\ud835\udcb3a"));
    for (int i = 0; i < RANDOM_VALUES; i++) {
      values.add(randomString(r));
    }
    checkRoundTripAndOrder(Codecs.forKey(String.class), values, CODE_POINT_ORDER, Object::equals);
  }

  @Test
  void string_supplementaryAfterPrivateUse_differsFromUtf16Order() {
    // U+FFFF sorts after U+1D4B3 in UTF-16 (String.compareTo) but before it in UTF-8: keys follow UTF-8.
    Codec<String> c = Codecs.forKey(String.class);
    assertThat("\uffff".compareTo("\ud835\udcb3")).isPositive();
    assertThat(Arrays.compareUnsigned(encode(c, "\uffff"), encode(c, "\ud835\udcb3"))).isNegative();
  }

  @Test
  void string_topLevel_isPlainUtf8() {
    assertThat(encode(Codecs.forKey(String.class), "h\u00e9\ud835\udcb3"))
        .containsExactly(0x68, 0xc3, 0xa9, 0xf0, 0x9d, 0x92, 0xb3);
  }

  @Test
  void long_edgesAndRandom_roundTripAndSortNumerically() {
    Random r = new Random(2);
    List<Long> values = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -256L, -255L, -1L, 0L, 1L, 255L,
        256L, Integer.MAX_VALUE + 1L, Long.MAX_VALUE - 1, Long.MAX_VALUE));
    for (int i = 0; i < RANDOM_VALUES; i++) {
      values.add(r.nextLong() >> r.nextInt(64));
    }
    checkRoundTripAndOrder(Codecs.forKey(Long.class), values, Comparator.naturalOrder(), Object::equals);
    assertThat(encode(Codecs.forKey(Long.class), 1L)).containsExactly(0x80, 0, 0, 0, 0, 0, 0, 1);
    assertThat(encode(Codecs.forKey(Long.class), -1L)).containsExactly(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  }

  @Test
  void integer_edgesAndRandom_roundTripAndSortNumerically() {
    Random r = new Random(3);
    List<Integer> values = new ArrayList<>(List.of(Integer.MIN_VALUE, -65536, -1, 0, 1, 127, 128, Integer.MAX_VALUE));
    for (int i = 0; i < RANDOM_VALUES; i++) {
      values.add(r.nextInt() >> r.nextInt(32));
    }
    checkRoundTripAndOrder(Codecs.forKey(Integer.class), values, Comparator.naturalOrder(), Object::equals);
  }

  @Test
  void short_everyValue_roundTripsAndSortsNumerically() {
    List<Short> values = new ArrayList<>();
    for (int v = Short.MIN_VALUE; v <= Short.MAX_VALUE; v += 7) {
      values.add((short) v);
    }
    values.addAll(List.of((short) -1, (short) 0, Short.MAX_VALUE, Short.MIN_VALUE));
    checkRoundTripAndOrder(Codecs.forKey(Short.class), values, Comparator.naturalOrder(), Object::equals);
  }

  @Test
  void byte_everyValue_roundTripsAndSortsNumerically() {
    List<Byte> values = new ArrayList<>();
    for (int v = Byte.MIN_VALUE; v <= Byte.MAX_VALUE; v++) {
      values.add((byte) v);
    }
    checkRoundTripAndOrder(Codecs.forKey(Byte.class), values, Comparator.naturalOrder(), Object::equals);
  }

  @Test
  void character_everyCharIncludingLoneSurrogates_roundTripsAndSortsByCharValue() {
    List<Character> values = new ArrayList<>();
    for (int c = 0; c <= Character.MAX_VALUE; c += 3) {
      values.add((char) c);
    }
    values.addAll(List.of('\uffff', '\ud800', '\udfff', '\0'));
    checkRoundTripAndOrder(Codecs.forKey(Character.class), values, Comparator.naturalOrder(), Object::equals);
  }

  @Test
  void double_signedZeroNanInfinitiesAndRandom_roundTripAndSortAsDoubleCompare() {
    Random r = new Random(4);
    List<Double> values = new ArrayList<>(List.of(Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.0,
        -Double.MIN_NORMAL, -Double.MIN_VALUE, -0.0, 0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 1.0,
        Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0xfff8_0000_0000_0001L)));
    for (int i = 0; i < RANDOM_VALUES; i++) {
      values.add(Double.longBitsToDouble(r.nextLong()));
      values.add(r.nextGaussian());
    }
    // Double.equals tells -0.0 from 0.0 and treats every NaN as equal, as the encoding does.
    checkRoundTripAndOrder(Codecs.forKey(Double.class), values, Double::compare, Object::equals);
    Codec<Double> c = Codecs.forKey(Double.class);
    assertThat(encode(c, Double.NaN)).isEqualTo(encode(c, Double.longBitsToDouble(0x7ff0_0000_0000_0001L)));
    assertThat(Arrays.compareUnsigned(encode(c, -0.0), encode(c, 0.0))).isNegative();
  }

  @Test
  void float_signedZeroNanInfinitiesAndRandom_roundTripAndSortAsFloatCompare() {
    Random r = new Random(5);
    List<Float> values = new ArrayList<>(List.of(Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1f, -Float.MIN_VALUE,
        -0f, 0f, Float.MIN_VALUE, Float.MIN_NORMAL, 1f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN));
    for (int i = 0; i < RANDOM_VALUES; i++) {
      values.add(Float.intBitsToFloat(r.nextInt()));
      values.add((float) r.nextGaussian());
    }
    checkRoundTripAndOrder(Codecs.forKey(Float.class), values, Float::compare, Object::equals);
  }

  @Test
  void boolean_bothValues_roundTripAndFalseSortsFirst() {
    checkRoundTripAndOrder(Codecs.forKey(Boolean.class), List.of(true, false, true), Comparator.naturalOrder(),
        Object::equals);
  }

  @Test
  void primitiveClass_getsTheBoxedCodec() {
    Codec<Long> c = Codecs.forKey(long.class);
    assertThat(c.decode(new ByteSource(), encode(c, -5L), 0, 8)).isEqualTo(-5L);
    assertThat(Codecs.forKey(int.class).type()).isEqualTo(Integer.class);
  }

  @Test
  void bytes_randomWithZerosAndHighBytes_roundTripAndSortUnsigned() {
    Random r = new Random(6);
    byte[] pool = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff, 'a'};
    List<byte[]> values = new ArrayList<>(List.of(new byte[0], new byte[] {0}, new byte[] {0, 0},
        new byte[] {(byte) 0xff}, new byte[] {0, (byte) 0xff}));
    for (int i = 0; i < RANDOM_VALUES; i++) {
      byte[] b = new byte[r.nextInt(5)];
      for (int j = 0; j < b.length; j++) {
        b[j] = pool[r.nextInt(pool.length)];
      }
      values.add(b);
    }
    checkRoundTripAndOrder(Codecs.forKey(byte[].class), values, UNSIGNED_BYTES, Arrays::equals);
  }

  @Test
  void enum_roundTripsAndSortsByOrdinal() {
    checkRoundTripAndOrder(Codecs.forKey(Color.class), List.of(Color.BLUE, Color.RED, Color.GREEN, Color.RED),
        Comparator.naturalOrder(), Object::equals);
    assertThat(encode(Codecs.forKey(Color.class), Color.BLUE)).containsExactly(0, 0, 0, 2);
  }

  @Test
  void enum_constantsWithBodies_roundTripToTheSameConstant() {
    Codec<Op> c = Codecs.forKey(Op.class);
    checkRoundTripAndOrder(c, List.of(Op.TIMES, Op.PLUS), Comparator.naturalOrder(), Object::equals);
    assertThat(decode(c, encode(c, Op.TIMES)).apply(3, 4)).isEqualTo(12);
  }

  @Test
  void enum_ordinalOutOfRange_isRefusedNamingTheType() {
    byte[] bad = {0, 0, 0, 3};
    assertThatThrownBy(() -> decode(Codecs.forKey(Color.class), bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Color.class.getName());
  }

  @Test
  void record_prefixesAndEmbeddedNuls_sortComponentWise() {
    Codec<Pair> c = Codecs.forKey(Pair.class);
    // "a" < "a\0" < "ab", whatever the second component: a shorter string ends before its extensions.
    List<Pair> ordered = List.of(
        new Pair("", Long.MAX_VALUE), new Pair("\0", Long.MIN_VALUE), new Pair("a", Long.MIN_VALUE),
        new Pair("a", Long.MAX_VALUE), new Pair("a\0", Long.MIN_VALUE), new Pair("a\0", -1L),
        new Pair("a\0\0", Long.MIN_VALUE), new Pair("a\0\u0001", Long.MIN_VALUE), new Pair("a\u0001", Long.MIN_VALUE),
        new Pair("ab", Long.MIN_VALUE), new Pair("b", 0L));
    for (int i = 0; i + 1 < ordered.size(); i++) {
      assertThat(Arrays.compareUnsigned(encode(c, ordered.get(i)), encode(c, ordered.get(i + 1))))
          .as("%s < %s", ordered.get(i), ordered.get(i + 1))
          .isNegative();
    }
    checkRoundTripAndOrder(c, ordered, PAIR_ORDER, Object::equals);
  }

  @Test
  void record_randomStringThenLong_roundTripsAndSortsLexicographically() {
    Random r = new Random(7);
    List<Pair> values = new ArrayList<>();
    for (int i = 0; i < RANDOM_VALUES * 2; i++) {
      values.add(new Pair(randomShortString(r), (long) (r.nextInt(5) - 2)));
    }
    checkRoundTripAndOrder(Codecs.forKey(Pair.class), values, PAIR_ORDER, Object::equals);
  }

  @Test
  void record_nested_roundTripsAndSortsLexicographically() {
    Random r = new Random(8);
    Double[] doubles = {-0.0, 0.0, Double.NaN, -1.5, Double.POSITIVE_INFINITY};
    List<Outer> values = new ArrayList<>();
    for (int i = 0; i < RANDOM_VALUES * 2; i++) {
      values.add(new Outer(new Pair(randomShortString(r), (long) r.nextInt(3)),
          Color.values()[r.nextInt(3)], doubles[r.nextInt(doubles.length)]));
    }
    Comparator<Outer> order = Comparator.comparing(Outer::pair, PAIR_ORDER)
        .thenComparing(Outer::color).thenComparing(Outer::d, Double::compare);
    checkRoundTripAndOrder(Codecs.forKey(Outer.class), values, order, Object::equals);
  }

  @Test
  void record_primitiveComponents_roundTripAndSortLexicographically() {
    Random r = new Random(9);
    List<Prim> values = new ArrayList<>();
    for (int i = 0; i < RANDOM_VALUES; i++) {
      values.add(new Prim(r.nextInt(3) - 1, r.nextInt(3) - 1L, (short) (r.nextInt(3) - 1), (byte) (r.nextInt(3) - 1),
          (char) ('a' + r.nextInt(2)), r.nextBoolean(), r.nextInt(3) - 1.0, r.nextInt(3) - 1f));
    }
    Comparator<Prim> order = Comparator.comparingInt(Prim::i).thenComparingLong(Prim::l)
        .thenComparing(Prim::s).thenComparing(Prim::b).thenComparing(Prim::c).thenComparing(Prim::z)
        .thenComparing(Prim::d).thenComparing(Prim::f);
    checkRoundTripAndOrder(Codecs.forKey(Prim.class), values, order, Object::equals);
  }

  @Test
  void record_byteArrayComponent_roundTripsAndSortsComponentWise() {
    Random r = new Random(10);
    byte[] pool = {0, 1, (byte) 0xff};
    List<Blob> values = new ArrayList<>();
    for (int i = 0; i < RANDOM_VALUES; i++) {
      byte[] b = new byte[r.nextInt(4)];
      for (int j = 0; j < b.length; j++) {
        b[j] = pool[r.nextInt(pool.length)];
      }
      values.add(new Blob(b, r.nextInt(3)));
    }
    Comparator<Blob> order = Comparator.comparing(Blob::bytes, UNSIGNED_BYTES).thenComparing(Blob::n);
    checkRoundTripAndOrder(Codecs.forKey(Blob.class), values, order,
        (a, b) -> Arrays.equals(a.bytes(), b.bytes()) && a.n().equals(b.n()));
  }

  @Test
  void record_nestedEncoding_isEscapedAndTerminated() {
    // Strings inside a record: 00 escaped as 00 FF, terminated by 00 01; the Long follows, sign-flipped.
    assertThat(encode(Codecs.forKey(Pair.class), new Pair("a\0", 5L)))
        .containsExactly(0x61, 0x00, 0xff, 0x00, 0x01, 0x80, 0, 0, 0, 0, 0, 0, 5);
  }

  @Test
  void record_empty_encodesToNothing() {
    Codec<Unit> c = Codecs.forKey(Unit.class);
    assertThat(encode(c, new Unit())).isEmpty();
    assertThat(decode(c, new byte[0])).isEqualTo(new Unit());
  }

  @Test
  void record_nullComponent_isRefusedNamingTheRecord() {
    assertThatThrownBy(() -> encode(Codecs.forKey(Pair.class), new Pair(null, 1L)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining(Pair.class.getName());
  }

  @Test
  void forKey_sameType_isCached() {
    assertThat(Codecs.forKey(Pair.class)).isSameAs(Codecs.forKey(Pair.class));
  }

  // --- refusals ----------------------------------------------------------------------------------

  @Test
  void forKey_typesWithoutDeterministicEncoding_refusedNamingTheType() {
    for (Class<?> type : List.of(HashMap.class, HashSet.class, Object[].class, Object.class, Plain.class,
        List.class, Map.class, int[].class, String[].class, Number.class, StringBuilder.class)) {
      assertThatThrownBy(() -> Codecs.forKey(type))
          .as(type.getName())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(type.getName());
    }
  }

  @Test
  void forKey_recordWithListComponent_refusedNamingRecordAndComponent() {
    assertThatThrownBy(() -> Codecs.forKey(WithList.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(WithList.class.getName() + ".items")
        .hasMessageContaining("java.util.List");
  }

  @Test
  void forKey_recordNestingARecordWithListComponent_refusedNamingThePath() {
    assertThatThrownBy(() -> Codecs.forKey(HoldsWithList.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(HoldsWithList.class.getName() + ".inner.items")
        .hasMessageContaining("java.util.List");
  }

  // --- values through Kryo -----------------------------------------------------------------------

  @Test
  void forValue_keyType_usesTheOrderedCodec() {
    assertThat(Codecs.forValue(String.class).isOrdered()).isTrue();
    assertThat(Codecs.forValue(Pair.class)).isSameAs(Codecs.forKey(Pair.class));
  }

  @Test
  void forValue_userClass_roundTripsThroughKryo() {
    Codec<Point> c = Codecs.forValue(Point.class);
    assertThat(c.isOrdered()).isFalse();
    for (Point p : List.of(new Point(1, "one", List.of(1, 2, 3)), new Point(-7, "", new ArrayList<>()),
        new Point(0, null, null), new Point(Integer.MAX_VALUE, "\ud835\udcb3\0", List.of(0)))) {
      assertThat(decode(c, encode(c, p))).isEqualTo(p);
    }
    assertThat(decode(c, encode(c, null))).isNull();
  }

  @Test
  void forValue_interfaceTypeList_roundTripsItsImplementations() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Codec<List<Object>> c = (Codec) Codecs.forValue(List.class);
    assertThat(c.isOrdered()).isFalse();
    List<Object> values = new ArrayList<>(List.of("a", 1L, List.of("nested")));
    values.add(null);
    for (List<Object> list : List.<List<Object>>of(values, new ArrayList<>(), new LinkedList<>(List.of(3)))) {
      List<Object> back = decode(c, encode(c, list));
      assertThat(back).isEqualTo(list).hasSameClassAs(list);
    }
  }

  @Test
  void forValue_interfaceTypeMap_roundTripsItsImplementations() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Codec<Map<String, Integer>> c = (Codec) Codecs.forValue(Map.class);
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("z", 1);
    m.put("a", 2);
    assertThat(decode(c, encode(c, m))).isEqualTo(m).hasSameClassAs(m);
    assertThat(decode(c, encode(c, new HashMap<>(m)))).isEqualTo(m);
  }

  @Test
  void forValue_subclassOfValueType_roundTripsAsTheSubclass() {
    Codec<Animal> c = Codecs.forValue(Animal.class);
    Animal back = decode(c, encode(c, new Dog("rex", 3)));
    assertThat(back).isInstanceOf(Dog.class);
    assertThat(back.name).isEqualTo("rex");
    assertThat(((Dog) back).barks).isEqualTo(3);
    assertThat(decode(c, encode(c, new Animal("cat"))).name).isEqualTo("cat");
  }

  @Test
  void forValue_recordWithListComponent_roundTripsThroughKryo() {
    Codec<WithList> c = Codecs.forValue(WithList.class);
    WithList v = new WithList("n", List.of("x", "y"));
    assertThat(decode(c, encode(c, v))).isEqualTo(v);
  }

  @Test
  void forValue_manyValuesInOneSink_eachDecodesFromItsOwnRange() {
    Codec<Point> c = Codecs.forValue(Point.class);
    ByteSink sink = new ByteSink(0);
    List<Point> points = new ArrayList<>();
    List<int[]> ranges = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Point p = new Point(i, "p" + i, List.of(i, i * i));
      int from = sink.length();
      c.write(p, sink, false);
      points.add(p);
      ranges.add(new int[] {from, sink.length() - from});
    }
    ByteSource source = new ByteSource();
    for (int i = 0; i < points.size(); i++) {
      assertThat(c.decode(source, sink.array(), ranges.get(i)[0], ranges.get(i)[1])).isEqualTo(points.get(i));
    }
  }

  // --- helpers -----------------------------------------------------------------------------------

  interface Equality<T> {
    boolean same(T a, T b);
  }

  /**
   * Every value decodes back to itself, also from the middle of a larger array; and for every pair,
   * comparing the encodings as unsigned bytes has the sign of the oracle's comparison.
   */
  private static <T> void checkRoundTripAndOrder(Codec<T> codec, List<T> values, Comparator<? super T> oracle,
      Equality<T> equality) {
    List<byte[]> encoded = new ArrayList<>();
    for (T v : values) {
      byte[] e = encode(codec, v);
      assertThat(encode(codec, v)).as("deterministic encoding of %s", show(v)).isEqualTo(e);
      T back = decode(codec, e);
      assertThat(equality.same(back, v)).as("round trip of %s gave %s", show(v), show(back)).isTrue();
      // Decoding a range inside a larger array.
      byte[] padded = new byte[e.length + 6];
      Arrays.fill(padded, (byte) 0x5a);
      System.arraycopy(e, 0, padded, 3, e.length);
      assertThat(equality.same(codec.decode(new ByteSource(), padded, 3, e.length), v))
          .as("round trip of %s at an offset", show(v)).isTrue();
      encoded.add(e);
    }
    if (values.size() <= 500) {
      for (int i = 0; i < values.size(); i++) {
        for (int j = 0; j < values.size(); j++) {
          checkPair(values, encoded, oracle, i, j);
        }
      }
      return;
    }
    // Too many for all pairs: neighbours in oracle order (which, both orders being transitive,
    // settles every pair) and a sample of random pairs.
    List<Integer> sorted = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      sorted.add(i);
    }
    sorted.sort((a, b) -> oracle.compare(values.get(a), values.get(b)));
    for (int k = 0; k + 1 < sorted.size(); k++) {
      checkPair(values, encoded, oracle, sorted.get(k), sorted.get(k + 1));
      checkPair(values, encoded, oracle, sorted.get(k + 1), sorted.get(k));
    }
    Random r = new Random(values.size());
    for (int k = 0; k < 20_000; k++) {
      checkPair(values, encoded, oracle, r.nextInt(values.size()), r.nextInt(values.size()));
    }
  }

  private static <T> void checkPair(List<T> values, List<byte[]> encoded, Comparator<? super T> oracle, int i, int j) {
    int expected = Integer.signum(oracle.compare(values.get(i), values.get(j)));
    int actual = Integer.signum(Arrays.compareUnsigned(encoded.get(i), encoded.get(j)));
    if (expected != actual) {
      throw new AssertionError("order of " + show(values.get(i)) + " and " + show(values.get(j)) + ": expected "
          + expected + " but the encodings compare " + actual);
    }
  }

  private static String show(Object v) {
    if (v instanceof byte[] b) {
      return Arrays.toString(b);
    }
    if (v instanceof String s) {
      return s.codePoints().mapToObj(cp -> String.format("U+%04X", cp)).toList().toString();
    }
    return String.valueOf(v);
  }

  static <T> byte[] encode(Codec<T> codec, T value) {
    ByteSink sink = new ByteSink(0);
    sink.writeByte(0x77); // the encoding must append, not overwrite
    codec.write(value, sink, false);
    assertThat(sink.array()[0]).isEqualTo((byte) 0x77);
    return Arrays.copyOfRange(sink.array(), 1, sink.length());
  }

  static <T> T decode(Codec<T> codec, byte[] bytes) {
    return codec.decode(new ByteSource(), bytes, 0, bytes.length);
  }

  /** Code points from every UTF-8 length class, including surrogate pairs and U+E000..U+FFFF. */
  private static String randomString(Random r) {
    int[][] ranges = {{0, 0}, {1, 0x7f}, {0x80, 0x7ff}, {0x800, 0xd7ff}, {0xe000, 0xffff}, {0x10000, 0x10ffff},
        {'a', 'c'}};
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      int[] range = ranges[r.nextInt(ranges.length)];
      sb.appendCodePoint(range[0] + r.nextInt(range[1] - range[0] + 1));
    }
    return sb.toString();
  }

  /** Strings from a few pieces, so that many are prefixes of others and many contain NULs. */
  private static String randomShortString(Random r) {
    String[] pieces = {"", "a", "\0", "b", "\u00ff", "\ud835\udcb3", "\uffff", "\u0001"};
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.append(pieces[r.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

}
