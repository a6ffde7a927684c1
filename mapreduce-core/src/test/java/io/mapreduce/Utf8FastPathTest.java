package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.lib.LongSumReducer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast path of a count: {@link BytesMapper}, {@link Emitter#emitUtf8} and
 * {@link LongSumReducer} as the combiner, against counts made here with {@code new String} per
 * token. The input holds malformed UTF-8, which takes the way of a String (U+FFFD), and many
 * distinct tokens, so that with a small sort buffer the sum table fills, flushes and is bypassed.
 */
class Utf8FastPathTest {
  @TempDir Path dir;
  Path input;
  Map<String, Long> oracle = new TreeMap<>();
  long tokens;

  /** Splits lines at spaces and emits each token's bytes. */
  public static final class TokenBytesMapper extends BytesMapper<String, Long> {
    @Override
    public void map(long offset, byte[] line, int start, int length, Emitter<String, Long> emitter) {
      int end = start + length;
      int i = start;
      while (i < end) {
        while (i < end && line[i] == ' ') {
          i++;
        }
        int token = i;
        while (i < end && line[i] != ' ') {
          i++;
        }
        if (i > token) {
          emitter.emitUtf8(line, token, i - token, 2L);
        }
      }
    }
  }

  /** The same tokens as Strings, for the object path into the sum table. */
  public static final class TokenStringMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      for (String t : line.split(" ")) {
        if (!t.isEmpty()) {
          emitter.emit(t, 2L);
        }
      }
    }
  }

  /** Keys by their first character's parity: a partitioner that needs the key object. */
  public static final class FirstCharPartitioner implements Partitioner<String> {
    @Override
    public int partition(String key, int partitions) {
      return key.charAt(0) % partitions;
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    input = dir.resolve("in.txt");
    Random random = new Random(5);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    byte[][] pieces = {"ab".getBytes(StandardCharsets.UTF_8), "Über".getBytes(StandardCharsets.UTF_8),
        "𐌺".getBytes(StandardCharsets.UTF_8), {(byte) 0xc3}, {(byte) 0xe0, (byte) 0x80}, {(byte) 0xff},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "z".getBytes(StandardCharsets.UTF_8)};
    for (int line = 0; line < 20_000; line++) {
      int words = random.nextInt(8);
      for (int w = 0; w < words; w++) {
        ByteArrayOutputStream token = new ByteArrayOutputStream();
        int parts = 1 + random.nextInt(3);
        for (int p = 0; p < parts; p++) {
          token.writeBytes(pieces[random.nextInt(pieces.length)]);
        }
        // A long tail of distinct tokens, so that a small table fills up.
        if (random.nextInt(4) == 0) {
          token.writeBytes(Integer.toString(random.nextInt(50_000)).getBytes(StandardCharsets.US_ASCII));
        }
        text.writeBytes(token.toByteArray());
        text.write(' ');
        oracle.merge(new String(token.toByteArray(), StandardCharsets.UTF_8), 2L, Long::sum);
        tokens++;
      }
      text.write('\n');
    }
    Files.write(input, text.toByteArray());
  }

  private Map<String, Long> run(MapReduceSpecification.Builder<String, Long> builder, String name) throws Exception {
    Path out = dir.resolve(name);
    JobResult r = MapReduce.exec(builder.input(input.toString()).output(out.toString())
        .workDirectory(dir.resolve("work")).splitSize(128 << 10).maxTaskAttempts(1).build()).get(120, TimeUnit.SECONDS);
    assertThat(r.counters().get(Counters.MAP_OUTPUT_RECORDS)).isEqualTo(tokens);
    Map<String, Long> counts = new TreeMap<>();
    for (var f : r.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(f), StandardCharsets.UTF_8)) {
        int tab = line.lastIndexOf('\t');
        assertThat(counts.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)))).isNull();
      }
    }
    return counts;
  }

  @ParameterizedTest(name = "sort buffer {0} bytes")
  @ValueSource(longs = {64L << 20, 1L << 20})
  void bytesMapperWithLongSumCombiner_countsEqualTheOracle(long sortBuffer) throws Exception {
    var b = MapReduceSpecification.builder().mapper(new TokenBytesMapper()).reducer(new LongSumReducer<String>())
        .combiner(new LongSumReducer<String>()).reduceTasks(3).sortBufferSize(sortBuffer);
    assertThat(run(b, "bytes-" + sortBuffer)).isEqualTo(oracle);
  }

  @Test
  void stringMapperWithLongSumCombiner_countsEqualTheOracle() throws Exception {
    var b = MapReduceSpecification.builder().mapper(new TokenStringMapper()).reducer(new LongSumReducer<String>())
        .combiner(new LongSumReducer<String>()).reduceTasks(2);
    assertThat(run(b, "strings")).isEqualTo(oracle);
  }

  @Test
  void emitUtf8_withoutCombiner_andWithAUserPartitioner_countsEqualTheOracle() throws Exception {
    var plain = MapReduceSpecification.builder().mapper(new TokenBytesMapper()).reducer(new LongSumReducer<String>())
        .reduceTasks(2);
    assertThat(run(plain, "no-combiner")).isEqualTo(oracle);

    var partitioned = MapReduceSpecification.builder().mapper(new TokenBytesMapper())
        .reducer(new LongSumReducer<String>()).combiner(new LongSumReducer<String>())
        .partitioner(new FirstCharPartitioner()).reduceTasks(2);
    Path out = dir.resolve("partitioned");
    assertThat(run(partitioned, "partitioned")).isEqualTo(oracle);
    for (int p = 0; p < 2; p++) {
      for (String line : Files.readAllLines(out.resolve(String.format("mr-out-%05d", p)), StandardCharsets.UTF_8)) {
        assertThat(line.charAt(0) % 2).as(line).isEqualTo(p);
      }
    }
  }

  @Test
  void emitUtf8_mapOnly_writesTheDecodedKeys() throws Exception {
    var b = MapReduceSpecification.builder().mapper(new TokenBytesMapper()).reduceTasks(0);
    Path out = dir.resolve("map-only");
    JobResult r = MapReduce.exec(b.input(input.toString()).output(out.toString()).workDirectory(dir.resolve("work"))
        .build()).get(60, TimeUnit.SECONDS);
    Map<String, Long> counts = new TreeMap<>();
    for (var f : r.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(f), StandardCharsets.UTF_8)) {
        counts.merge(line.substring(0, line.lastIndexOf('\t')), 2L, Long::sum);
      }
    }
    assertThat(counts).isEqualTo(oracle);
  }

  /** The README's fast-path example, as printed there. */
  public static final class ReadmeWords extends BytesMapper<String, Long> {
    @Override
    public void map(long offset, byte[] line, int start, int length, Emitter<String, Long> out) {
      int i = start;
      int end = start + length;
      while (i < end) {
        while (i < end && !Character.isLetter(line[i])) {
          i++;
        }
        int word = i;
        while (i < end && Character.isLetter(line[i])) {
          i++;
        }
        if (i > word) {
          out.emitUtf8(line, word, i - word, 1L);
        }
      }
    }
  }

  @Test
  void readmeExample_countsTheAsciiWords() throws Exception {
    Files.writeString(input, "The cat, the hat.\nÜber cats; THE end\n");
    var b = MapReduceSpecification.builder().mapper(new ReadmeWords()).reducer(new LongSumReducer<String>())
        .combiner(new LongSumReducer<String>());
    tokens = 8;
    // Non-ASCII bytes end words in this example: "Über" gives "ber".
    assertThat(run(b, "readme")).isEqualTo(Map.of("The", 1L, "cat", 1L, "the", 1L, "hat", 1L, "ber", 1L, "cats", 1L,
        "THE", 1L, "end", 1L));
  }

  /** Emits a String key into a job of Integer keys. */
  public static final class WrongKeys extends BytesMapper<Integer, Long> {
    @Override
    public void map(long offset, byte[] line, int start, int length, Emitter<Integer, Long> emitter) {
      emitter.emitUtf8(line, start, length, 1L);
    }
  }

  @Test
  void emitUtf8_intoAJobOfOtherKeys_failsSayingSo() {
    var b = MapReduceSpecification.builder().mapper(new WrongKeys()).reducer(new LongSumReducer<Integer>())
        .input(input.toString()).output(dir.resolve("wrong").toString()).workDirectory(dir.resolve("work"))
        .maxTaskAttempts(1);
    assertThatThrownBy(() -> MapReduce.exec(b.build()).get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("emitUtf8 emits String keys, but the job's key type is java.lang.Integer");
  }
}
