package io.mapreduce.internal.io;

import static io.mapreduce.internal.io.PairsFiles.concat;
import static io.mapreduce.internal.io.PairsFiles.crc32c;
import static io.mapreduce.internal.io.PairsFiles.expected;
import static io.mapreduce.internal.io.PairsFiles.readAll;
import static io.mapreduce.internal.io.PairsFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.io.PairsFiles.Block;
import io.mapreduce.internal.io.PairsFiles.Layout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pairs files written by {@link PairsWriter} read back by {@link PairsReader} as what was written,
 * for the codecs' kinds of types, and laid out as {@link PairsFormat} documents (checked by the
 * independent parser in {@link PairsFiles}).
 */
class PairsRoundTripTest {
  record Word(String text, int count) {}

  /** A value type with no codec of its own: it goes through Kryo. */
  static final class Point {
    String label;
    int x;
    double[] ys;

    Point() {}

    Point(String label, int x, double... ys) {
      this.label = label;
      this.x = x;
      this.ys = ys;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Point p && Objects.equals(label, p.label) && x == p.x && Arrays.equals(ys, p.ys);
    }

    @Override
    public int hashCode() {
      return Objects.hash(label, x);
    }
  }

  @Test
  void roundTrip_stringLong_readsBackWhatWasWritten() throws IOException {
    List<String> keys = List.of("", "a", "héllo wörld", "𐐷 supplementary", "tab\there", "x".repeat(300));
    List<Long> values = List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40);
    byte[] file = write(String.class, Long.class, keys, values);

    assertThat(readAll(file, String.class, Long.class)).containsExactlyElementsOf(expected(keys, values));
    Layout layout = PairsFiles.parse(file);
    assertThat(layout.keyType()).isEqualTo("java.lang.String");
    assertThat(layout.valueType()).isEqualTo("java.lang.Long");
  }

  @Test
  void roundTrip_longDouble_readsBackWhatWasWritten() throws IOException {
    List<Long> keys = List.of(-5L, 0L, 7L, Long.MAX_VALUE);
    List<Double> values = List.of(-0.0, 0.5, Double.NaN, Double.NEGATIVE_INFINITY);
    assertThat(readAll(write(Long.class, Double.class, keys, values), Long.class, Double.class))
        .containsExactlyElementsOf(expected(keys, values));
  }

  @Test
  void roundTrip_recordKeys_readBackWhatWasWritten() throws IOException {
    List<Word> keys = List.of(new Word("a", 1), new Word("", -3), new Word("nul\0inside", Integer.MAX_VALUE));
    List<Integer> values = List.of(1, 2, 3);
    assertThat(readAll(write(Word.class, Integer.class, keys, values), Word.class, Integer.class))
        .containsExactlyElementsOf(expected(keys, values));
  }

  @Test
  void roundTrip_byteArrayValues_readBackWhatWasWritten() throws IOException {
    List<String> keys = List.of("empty", "zeros", "random");
    byte[] random = new byte[1000];
    new Random(1).nextBytes(random);
    List<byte[]> values = List.of(new byte[0], new byte[5], random);
    assertThat(readAll(write(String.class, byte[].class, keys, values), String.class, byte[].class))
        .containsExactlyElementsOf(expected(keys, values));
  }

  @Test
  void roundTrip_kryoValues_readBackEqualObjects() throws IOException {
    List<String> keys = List.of("p", "q");
    List<Point> points = List.of(new Point("origin", 0), new Point(null, -2, 1.5, Double.NaN));
    assertThat(readAll(write(String.class, Point.class, keys, points), String.class, Point.class))
        .containsExactlyElementsOf(expected(keys, points));

    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<List<String>> listType = (Class) List.class;
    List<List<String>> lists = List.of(new ArrayList<>(List.of("x", "y")), new ArrayList<>());
    assertThat(readAll(write(String.class, listType, keys, lists), String.class, listType))
        .containsExactlyElementsOf(expected(keys, lists));
  }

  @Test
  void roundTrip_recordsLargerThanABlock_eachIsABlockOfItsOwn() throws IOException {
    Random random = new Random(2);
    List<String> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int size : new int[] {10, PairsFormat.BLOCK_SIZE * 3, 20, PairsFormat.BLOCK_SIZE + 1, 5}) {
      byte[] value = new byte[size];
      random.nextBytes(value);
      keys.add("k" + size);
      values.add(value);
    }
    byte[] file = write(String.class, byte[].class, keys, values);

    assertThat(readAll(file, String.class, byte[].class)).containsExactlyElementsOf(expected(keys, values));
    assertThat(PairsFiles.parse(file).blocks()).extracting(Block::count).containsExactly(1, 1, 1, 1, 1);
  }

  @Test
  void writer_manySmallRecords_fillsBlocksUpToTheBlockSize() throws IOException {
    List<String> keys = new ArrayList<>();
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      keys.add("key-" + i);
      values.add((long) i);
    }
    byte[] file = write(String.class, Long.class, keys, values);

    List<Block> blocks = PairsFiles.parse(file).blocks();
    assertThat(blocks).hasSizeGreaterThan(3);
    // Every block but the last is full: the next record would not have fit.
    for (Block b : blocks.subList(0, blocks.size() - 1)) {
      assertThat(b.payloadLength()).isBetween(PairsFormat.BLOCK_SIZE - 30, PairsFormat.BLOCK_SIZE);
    }
    assertThat(blocks.stream().mapToInt(Block::count).sum()).isEqualTo(keys.size());
  }

  @Test
  void writer_givenSync_writesTheDocumentedHeaderAndRecordBytes() throws IOException {
    byte[] sync = new byte[16];
    Arrays.fill(sync, (byte) 0xA5);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PairsWriter<String, Long> w = new PairsWriter<>(out, String.class, Long.class, sync)) {
      w.write("ab", 1L);
    }
    byte[] expected = concat(
        "MRPAIRS".getBytes(), new byte[] {1, 16}, "java.lang.String".getBytes(), new byte[] {14},
        "java.lang.Long".getBytes(), sync,
        // One record: lengths 2 and 1, "ab", then 1L as a zigzag varint (2).
        sync, new byte[] {1, 5}, crc32c(new byte[] {2, 1, 'a', 'b', 2}),
        new byte[] {2, 1, 'a', 'b', 2});
    assertThat(out.toByteArray()).isEqualTo(expected);
    assertThat(PairsReader.readHeader(new ByteArrayInputStream(expected)))
        .isEqualTo(new PairsFormat.Header(1, "java.lang.String", "java.lang.Long", sync, 7 + 1 + 17 + 15 + 16));
  }

  @Test
  void writeEncoded_bytesFromTheCodecs_readBackAsObjectsAndRawBytes() throws IOException {
    ByteSink k = new ByteSink(16);
    ByteSink v = new ByteSink(16);
    Codecs.forValue(String.class).write("word", k, false);
    Codecs.forValue(Long.class).write(42L, v, false);
    byte[] padded = new byte[v.length() + 6];
    System.arraycopy(v.array(), 0, padded, 3, v.length());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PairsWriter<String, Long> w = new PairsWriter<>(out, String.class, Long.class)) {
      w.writeEncoded(k.array(), 0, k.length(), padded, 3, v.length());
    }
    try (PairsReader<String, Long> r = PairsReader.open(new ByteArrayInputStream(out.toByteArray()), "f",
        String.class, Long.class)) {
      assertThat(r.next()).isTrue();
      assertThat(Arrays.copyOfRange(r.keyArray(), r.keyOffset(), r.keyOffset() + r.keyLength()))
          .isEqualTo(Arrays.copyOf(k.array(), k.length()));
      assertThat(Arrays.copyOfRange(r.valueArray(), r.valueOffset(), r.valueOffset() + r.valueLength()))
          .isEqualTo(Arrays.copyOf(v.array(), v.length()));
      assertThat(r.key()).isEqualTo("word");
      assertThat(r.value()).isEqualTo(42L);
      // Decoded again at each call (not kept: see PairsReader.key), to an equal object.
      assertThat(r.key()).isEqualTo("word").isNotSameAs(r.key());
      assertThat(r.position()).isEqualTo(r.header().length());
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void headerOnly_isAValidEmptyFile() throws IOException {
    byte[] file = write(String.class, Long.class, List.of(), List.of());
    assertThat(PairsFiles.parse(file).blocks()).isEmpty();
    assertThat(PairsReader.readHeader(new ByteArrayInputStream(file)).length()).isEqualTo(file.length);
    assertThat(readAll(file, String.class, Long.class)).isEmpty();
  }

  @Test
  void flush_endsTheBlockAndKeepsTheStreamOpen_soTheBytesSoFarAreAValidFile() throws IOException {
    boolean[] closed = {false};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FilterOutputStream out = new FilterOutputStream(bytes) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    PairsWriter<String, Long> w = new PairsWriter<>(out, String.class, Long.class);
    w.write("a", 1L);
    w.flush();
    assertThat(closed[0]).isFalse();
    assertThat(readAll(bytes.toByteArray(), String.class, Long.class)).containsExactly(PairsFiles.Pair.of("a", 1L));
    w.write("b", 2L);
    w.close();
    assertThat(closed[0]).isTrue();
    assertThat(readAll(bytes.toByteArray(), String.class, Long.class))
        .containsExactly(PairsFiles.Pair.of("a", 1L), PairsFiles.Pair.of("b", 2L));
    assertThat(PairsFiles.parse(bytes.toByteArray()).blocks()).hasSize(2);
    assertThatThrownBy(() -> w.write("c", 3L)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  /** A value Kryo refuses: a lambda that is not Serializable. */
  static final class Holder {
    Object held;

    Holder(Object held) {
      this.held = held;
    }
  }

  @Test
  void write_valueTheCodecRefuses_leavesNoPartOfTheRecord() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PairsWriter<String, Holder> w = new PairsWriter<>(out, String.class, Holder.class)) {
      w.write("before", new Holder("x"));
      Runnable notSerializable = () -> {};
      assertThatThrownBy(() -> w.write("bad", new Holder(notSerializable))).isInstanceOf(RuntimeException.class);
      w.write("after", new Holder(7));
    }
    assertThat(readAll(out.toByteArray(), String.class, Holder.class)).extracting(p -> p.key())
        .containsExactly("before", "after");
  }

  @Test
  void write_nullKeyOrValue_isRefusedNamingIt() throws IOException {
    PairsWriter<String, Long> w = new PairsWriter<>(new ByteArrayOutputStream(), String.class, Long.class);
    assertThatThrownBy(() -> w.write(null, 1L)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("null key");
    assertThatThrownBy(() -> w.write("k", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("null value for key k");
  }
}
