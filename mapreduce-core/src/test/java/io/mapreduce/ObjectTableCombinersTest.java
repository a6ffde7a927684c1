package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User combiners over string keys and long values, which the map task combines as objects with
 * each key's values kept as runs of equal values and long runs folded through the combiner (see
 * ObjectCombiningTable): a sum, a maximum, a combiner that passes values through unchanged (so a
 * fold gives back many values and folding stops), one that gives back the sum in two values, and
 * one that gives back nothing for a sum of zero. Every result is checked against counts made here,
 * and the records emitted against the map output counter.
 */
class ObjectTableCombinersTest {
  @TempDir Path dir;
  Path input;
  /** Per word: how often it occurs, and the largest number that follows it on its line. */
  Map<String, Long> counts = new TreeMap<>();
  Map<String, Long> maxima = new TreeMap<>();
  long words;

  /** Emits (word, 1) for each word of a line, or with {@code numbers}, (word, the number after it). */
  public static final class Words extends Mapper<String, Long> {
    private final boolean numbers;

    Words(boolean numbers) {
      this.numbers = numbers;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> out) {
      String[] t = line.split(" ");
      for (int i = 0; i + 1 < t.length; i += 2) {
        out.emit(t[i], numbers ? Long.parseLong(t[i + 1]) : 1L);
      }
    }
  }

  public static final class Max extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> out) {
      long m = Long.MIN_VALUE;
      for (long v : values) {
        m = Math.max(m, v);
      }
      out.emit(key, m);
    }
  }

  /** Passes every value through: a valid combiner that reduces nothing. */
  public static final class PassThrough extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> out) {
      for (long v : values) {
        out.emit(key, v);
      }
    }
  }

  /** Sums, but gives back the sum in two halves: valid for a sum, never one value. */
  public static final class SumInHalves extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> out) {
      long n = 0;
      for (long v : values) {
        n += v;
      }
      out.emit(key, n / 2);
      out.emit(key, n - n / 2);
    }
  }

  /** Emits (word, 1), but (word, 0) for "the": long runs of zeros. */
  public static final class TheIsZero extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> out) {
      String[] t = line.split(" ");
      for (int i = 0; i + 1 < t.length; i += 2) {
        out.emit(t[i], t[i].equals("the") ? 0L : 1L);
      }
    }
  }

  /** Sums, and gives back nothing when the sum is zero: as combiner and reducer alike. */
  public static final class SumDroppingZero extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> out) {
      long n = 0;
      for (long v : values) {
        n += v;
      }
      if (n != 0) {
        out.emit(key, n);
      }
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    input = dir.resolve("in.txt");
    Random random = new Random(11);
    StringBuilder text = new StringBuilder();
    String[] hot = {"the", "of", "naïve", "𝒳"};
    for (int line = 0; line < 30_000; line++) {
      int n = 1 + random.nextInt(6);
      for (int w = 0; w < n; w++) {
        // A few words make most of the text (long runs of equal values), with a tail of rare ones.
        String word = random.nextInt(5) > 0 ? hot[random.nextInt(hot.length)] : "w" + random.nextInt(3000);
        // Mostly 7, so that a word's runs of equal numbers are long enough to be folded.
        long number = random.nextInt(50) == 0 ? random.nextInt(1_000_000) : 7;
        text.append(word).append(' ').append(number).append(' ');
        counts.merge(word, 1L, Long::sum);
        maxima.merge(word, number, Math::max);
        words++;
      }
      text.append('\n');
    }
    Files.writeString(input, text.toString());
  }

  private Map<String, Long> run(Mapper<String, Long> mapper, Reducer<String, Long> combiner, Reducer<String, Long> reducer,
      String name) throws Exception {
    Path out = dir.resolve(name);
    JobResult r = MapReduce.exec(MapReduceSpecification.builder().mapper(mapper).combiner(combiner).reducer(reducer)
        .input(input.toString()).output(out.toString()).workDirectory(dir.resolve("work")).reduceTasks(2)
        .splitSize(200 << 10).maxTaskAttempts(1).build()).get(120, TimeUnit.SECONDS);
    assertThat(r.counters().get(Counters.MAP_OUTPUT_RECORDS)).isEqualTo(words);
    Map<String, Long> result = new TreeMap<>();
    for (var f : r.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(f), StandardCharsets.UTF_8)) {
        int tab = line.lastIndexOf('\t');
        assertThat(result.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)))).isNull();
      }
    }
    return result;
  }

  @Test
  void sumCombiner_countsEqualTheOracle() throws Exception {
    assertThat(run(new Words(false), new EngineContract.Sum(), new EngineContract.Sum(), "sum")).isEqualTo(counts);
  }

  @Test
  void maxCombiner_maximaEqualTheOracle() throws Exception {
    assertThat(run(new Words(true), new Max(), new Max(), "max")).isEqualTo(maxima);
  }

  @Test
  void passThroughCombiner_foldGivesBackManyValues_countsStillEqualTheOracle() throws Exception {
    assertThat(run(new Words(false), new PassThrough(), new EngineContract.Sum(), "pass")).isEqualTo(counts);
  }

  @Test
  void combinerGivingTwoValues_countsStillEqualTheOracle() throws Exception {
    assertThat(run(new Words(false), new SumInHalves(), new EngineContract.Sum(), "halves")).isEqualTo(counts);
  }

  @Test
  void combinerGivingNothingForZeros_theWordOfZerosVanishes_theRestEqualTheOracle() throws Exception {
    Map<String, Long> expected = new TreeMap<>(counts);
    expected.remove("the");
    assertThat(run(new TheIsZero(), new SumDroppingZero(), new SumDroppingZero(), "zeros")).isEqualTo(expected);
  }
}
