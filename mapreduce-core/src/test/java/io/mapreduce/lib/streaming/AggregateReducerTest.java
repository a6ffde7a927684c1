package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AggregateReducer} against results worked out here (by hand, or by plain Java over the
 * values), alone and behind its combiner run on random partial groups.
 */
class AggregateReducerTest {
  @TempDir
  Path dir;

  /** The reducer's output line for a key and its values. */
  static String reduce(String key, List<String> values) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    AggregateReducer.of().reduce(bytes(key), values.stream().map(AggregateReducerTest::bytes).toList(), (k, v) -> {
      assertThat(v).isEmpty();
      lines.add(k);
    });
    assertThat(lines).hasSize(1);
    return new String(lines.get(0), StandardCharsets.UTF_8);
  }

  /**
   * The reducer's output line after the values, shuffled, were cut into random partial groups and
   * each went through the combiner (which must keep the key).
   */
  static String reduceCombined(String key, List<String> values, long seed) throws Exception {
    Random random = new Random(seed);
    List<String> shuffled = new ArrayList<>(values);
    Collections.shuffle(shuffled, random);
    List<String> partials = new ArrayList<>();
    int i = 0;
    while (i < shuffled.size()) {
      int n = 1 + random.nextInt(Math.max(1, shuffled.size() / 3));
      List<byte[]> group = shuffled.subList(i, Math.min(shuffled.size(), i + n)).stream()
          .map(AggregateReducerTest::bytes).toList();
      AggregateReducer.combiner().reduce(bytes(key), group, (k, v) -> {
        assertThat(new String(k, StandardCharsets.UTF_8)).isEqualTo(key);
        partials.add(new String(v, StandardCharsets.UTF_8));
      });
      i += n;
    }
    Collections.shuffle(partials, random);
    return reduce(key, partials);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Asserts the line with and without combiners (several cuts). */
  static void assertAggregates(String key, List<String> values, String expectedLine) throws Exception {
    assertThat(reduce(key, values)).isEqualTo(expectedLine);
    for (long seed = 1; seed <= 5; seed++) {
      assertThat(reduceCombined(key, values, seed)).as("combined, seed %d", seed).isEqualTo(expectedLine);
    }
  }

  static List<String> numbers(long... ns) {
    List<String> out = new ArrayList<>();
    for (long n : ns) {
      out.add(Long.toString(n));
    }
    return out;
  }

  @Test
  void longValueSum_addsAndWrapsAsJavaLongs() throws Exception {
    assertAggregates("LongValueSum:the", numbers(1, 1, 1, 40, -3, 7), "the\t47");
    assertAggregates("LongValueSum:big", List.of("9223372036854775807", "1"), "big\t-9223372036854775808");
    assertAggregates("longvaluesum:caseless", List.of("+5", "-0", "12"), "caseless\t17");
  }

  @Test
  void longValueMaxAndMin() throws Exception {
    List<String> values = numbers(5, -12, 99, 0, 98, -9223372036854775808L, 3);
    assertAggregates("LongValueMax:x", values, "x\t99");
    assertAggregates("LongValueMin:x", values, "x\t-9223372036854775808");
    assertAggregates("LongValueMax:one", List.of("-7"), "one\t-7");
  }

  @Test
  void doubleValueSum_printsAsJavaDoubleToString() throws Exception {
    // Halves and quarters add exactly in any order, so the combiner's cuts cannot change the sum.
    assertAggregates("DoubleValueSum:d", List.of("1.5", "0.25", "2", "-0.75", "1e2"), "d\t103.0");
    assertAggregates("DoubleValueSum:big", List.of("5e9", "5e9"), "big\t1.0E10");
    assertAggregates("DoubleValueSum:tiny", List.of("0.0001"), "tiny\t1.0E-4");
  }

  @Test
  void stringValueMaxAndMin_compareAsJavaStrings() throws Exception {
    List<String> values = List.of("pear", "apple", "Zebra", "apples", "", "pea");
    assertAggregates("StringValueMax:s", values, "s\tpear");
    assertAggregates("StringValueMin:s", values, "s\t");
    // U+FF21 (fullwidth A) is above U+1F600 (an emoji) in Java's UTF-16 order, below it in bytes.
    List<String> wide = List.of("\uFF21", "\uD83D\uDE00", "z");
    assertAggregates("StringValueMax:w", wide, "w\t\uFF21");
    assertAggregates("StringValueMin:w", wide, "w\tz");
  }

  @Test
  void uniqValueCount_countsDistinctValues() throws Exception {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      values.add("v" + (i % 37));
    }
    values.add("with\ttab");
    values.add("");
    assertAggregates("UniqValueCount:u", values, "u\t39");
  }

  /** Hadoop's check is "at most the limit held" before it adds: so limit + 1 values count. */
  @Test
  void uniqValueCount_withLimit_countsAtMostLimitPlusOne() throws Exception {
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      values.add(bytes("v" + (i % 20)));
    }
    for (long limit : new long[] {1, 5, 19, 20, 100}) {
      List<String> lines = new ArrayList<>();
      AggregateReducer.of(limit).reduce(bytes("UniqValueCount:u"), values,
          (k, v) -> lines.add(new String(k, StandardCharsets.UTF_8)));
      assertThat(lines).as("limit %d", limit).containsExactly("u\t" + Math.min(20, limit + 1));
    }
    assertThatThrownBy(() -> AggregateReducer.of(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxUniqueValues must be at least 1 but was 0");
  }

  @Test
  void valueHistogram_reportIsDistinctMinMedianMaxMeanSd() throws Exception {
    // Occurrences: a 3, b 1, c 2, d 4 (one value "d<TAB>4"), e\tx 1 (split at the last tab:
    // value "e\tx", count 1). Counts sorted: 1 1 2 3 4; median counts[5/2] = 2; mean 11/5 = 2.2;
    // variance ((1.2^2)*2 + 0.2^2 + 0.8^2 + 1.8^2) / 5 = 1.36; sd = sqrt of it, which in doubles
    // summed in that order prints as 1.16619037896906 (python3 gives the same).
    List<String> values = List.of("a", "b", "a", "c", "a", "c", "d\t4", "e\tx\t1");
    assertAggregates("ValueHistogram:h", values, "h\t5\t1\t2\t4\t2.2\t1.16619037896906");
    // Equal counts: sd 0.
    assertAggregates("ValueHistogram:flat", List.of("x", "y", "z"), "flat\t3\t1\t1\t1\t1.0\t0.0");
  }

  @Test
  void valueHistogram_manyValues_matchesStatisticsComputedHere() throws Exception {
    Random random = new Random(42);
    List<String> values = new ArrayList<>();
    TreeMap<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < 2000; i++) {
      String v = "w" + random.nextInt(50);
      long n = 1 + random.nextInt(3);
      values.add(n == 1 && random.nextBoolean() ? v : v + "\t" + n);
      counts.merge(v, n, Long::sum);
    }
    long[] sorted = counts.values().stream().mapToLong(Long::longValue).sorted().toArray();
    double mean = (double) java.util.Arrays.stream(sorted).sum() / sorted.length;
    double squares = 0;
    for (long c : sorted) {
      squares += (c - mean) * (c - mean);
    }
    String expected = "many\t" + sorted.length + "\t" + sorted[0] + "\t" + sorted[sorted.length / 2] + "\t"
        + sorted[sorted.length - 1] + "\t" + mean + "\t" + Math.sqrt(squares / sorted.length);
    assertAggregates("ValueHistogram:many", values, expected);
  }

  @Test
  void nameKeepsEverythingAfterTheFirstColon_andMayBeEmpty() throws Exception {
    assertThat(reduce("LongValueSum:a:b:c", numbers(2, 3))).isEqualTo("a:b:c\t5");
    assertThat(reduce("LongValueSum:", numbers(2))).isEqualTo("\t2");
  }

  @Test
  void badInput_failsInOneLineNamingKeyAndValue() {
    assertThatThrownBy(() -> reduce("LongValueSum:x", List.of("1", "one")))
        .isInstanceOf(StreamingException.class)
        .hasMessage("aggregate: key 'LongValueSum:x' has the value 'one': not a long integer (as Java's"
            + " Long.parseLong reads one)");
    assertThatThrownBy(() -> reduce("LongValueMax:x", List.of(" 1"))).hasMessageContaining("value ' 1'");
    assertThatThrownBy(() -> reduce("LongValueSum:x", List.of(""))).hasMessageContaining("value ''");
    assertThatThrownBy(() -> reduce("DoubleValueSum:x", List.of("1,5"))).hasMessageContaining("not a number");
    assertThatThrownBy(() -> reduce("ValueHistogram:x", List.of("v\tmany")))
        .hasMessageContaining("its count after the last tab is not a long integer");
    assertThatThrownBy(() -> reduce("word", List.of("1"))).isInstanceOf(StreamingException.class)
        .hasMessageStartingWith("aggregate: key 'word' has no TYPE: before its name");
    assertThatThrownBy(() -> reduce("LongSum:word", List.of("1"))).isInstanceOf(StreamingException.class)
        .hasMessageStartingWith("aggregate: key 'LongSum:word' has the unknown type 'LongSum'");
    assertThatThrownBy(() -> AggregateReducer.combiner().reduce(bytes("LongValueMin:x"), List.of(bytes("x")),
        (k, v) -> {})).hasMessageContaining("value 'x'");
  }

  /** A whole job on the embedded engine: a shell mapper, two reduce tasks, with the combiner. */
  @Test
  void exec_withCombiner_writesNameTabReport() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("w").append(i % 7).append(' ').append(i).append('\n');
    }
    Files.writeString(in.resolve("a.txt"), text);
    // For each line "wN I": LongValueSum:wN 1, LongValueMax:max I, and UniqValueCount:words wN.
    StreamingMapper mapper = StreamingMapper.of(
        "awk '{ print \"LongValueSum:\" $1 \"\\t1\"; print \"LongValueMax:max\\t\" $2;"
            + " print \"UniqValueCount:words\\t\" $1 }'");
    var spec = MapReduceSpecification.builder().mapper(mapper).reducer(AggregateReducer.of())
        .combiner(AggregateReducer.combiner()).input(in.toString()).output(dir.resolve("out").toString())
        .workDirectory(dir.resolve("work")).splitSize(8 << 10).reduceTasks(2).maxTaskAttempts(1).build();
    var result = MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    List<String> expected = new ArrayList<>();
    for (int w = 0; w < 7; w++) {
      expected.add("w" + w + "\t" + (5000 / 7 + (w < 5000 % 7 ? 1 : 0)));
    }
    expected.add("max\t4999");
    expected.add("words\t7");
    Collections.sort(expected);
    assertThat(StreamingScripts.sortedLines(StreamingJobTest.outputBytes(dir.resolve("out")))).isEqualTo(expected);
    assertThat(result.counters().get("combine.output.records"))
        .isLessThan(result.counters().get("combine.input.records"));
  }

  @Test
  void exec_badLine_failsTheJobNamingIt() {
    StreamingMapper mapper = StreamingMapper.of("echo 'LongValueSum:n\tseven'");
    assertThatThrownBy(() -> {
      Path in = Files.createDirectories(dir.resolve("in"));
      Files.writeString(in.resolve("a.txt"), "x\n");
      MapReduce.exec(MapReduceSpecification.builder().mapper(mapper).reducer(AggregateReducer.of())
          .input(in.toString()).output(dir.resolve("out").toString()).workDirectory(dir.resolve("work"))
          .reduceTasks(1).maxTaskAttempts(1).build()).get(60, TimeUnit.SECONDS);
    }).isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("aggregate: key 'LongValueSum:n' has the value 'seven'")
        // Where the reduce was, with the byte[] key as text, not as an array's identity.
        .hasStackTraceContaining("key LongValueSum:n")
        .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("[B@"));
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
