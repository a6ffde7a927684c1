package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.format.Pairs;
import io.mapreduce.testing.JobHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typed pairs as a job's output and the next job's input: chained jobs, the errors of a pairs
 * input that does not fit, and the in-memory harness; against oracles computed here.
 */
class PairsJobsTest {
  @TempDir Path dir;
  Path input;
  Path work;
  Map<String, Long> oracle;

  @BeforeEach
  void writeCorpus() throws IOException {
    input = Files.createDirectories(dir.resolve("input"));
    work = Files.createDirectories(dir.resolve("work"));
    Random random = new Random(4);
    String[] words = {"the", "of", "a", "naïve", "𝒳", "zebra", "apple", "b", "c", "d"};
    oracle = new TreeMap<>();
    for (int f = 0; f < 3; f++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 4000; i++) {
        // Zipf-like: low indexes far more often, so counts differ.
        String w = words[(int) Math.min(words.length - 1, Math.abs(random.nextGaussian()) * 3)];
        text.append(w).append(i % 9 == 0 ? "\n" : " ");
        oracle.merge(w, 1L, Long::sum);
      }
      Files.writeString(input.resolve("part-" + f + ".txt"), text.toString());
    }
  }

  private MapReduceSpecification.Builder<String, Long> wordCount(String out) {
    return MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper()).reducer(new EngineContract.Sum())
        .combiner(new EngineContract.Sum()).input(input.toString()).output(dir.resolve(out).toString())
        .workDirectory(work).parallelism(2);
  }

  /** (word, count) to (count, word). */
  public static final class ByCount extends PairMapper<String, Long, Long, String> {
    @Override
    public void map(String word, Long count, Emitter<Long, String> emitter) {
      emitter.emit(count, word);
    }
  }

  /** (count, words) to (count, the words with that count, in order). */
  public static final class WordsPerCount extends PairReducer<Long, String, Long, List<String>> {
    @Override
    public void reduce(Long count, Iterable<String> words, Emitter<Long, List<String>> emitter) {
      List<String> all = new ArrayList<>();
      words.forEach(all::add);
      all.sort(null);
      emitter.emit(count, all);
    }
  }

  /** (count, words) to (number of words with that count's digit length, 1). */
  public static final class DigitsOfCount extends PairMapper<Long, List<String>, Integer, Long> {
    @Override
    public void map(Long count, List<String> words, Emitter<Integer, Long> emitter) {
      emitter.emit(Long.toString(count).length(), (long) words.size());
    }
  }

  public static final class SumInts extends Reducer<Integer, Long> {
    @Override
    public void reduce(Integer key, Iterable<Long> values, Emitter<Integer, Long> emitter) {
      long s = 0;
      for (long v : values) {
        s += v;
      }
      emitter.emit(key, s);
    }
  }

  @Test
  void threeChainedJobs_typedPairsBetweenThem_eachStageEqualsItsOracle() throws Exception {
    var counts = wordCount("counts").reduceTasks(3).outputFormat(OutputFormat.pairs()).build();
    var byCount = MapReduceSpecification.builder().mapper(new ByCount()).reducer(new WordsPerCount())
        .sortDescending().inputFrom(counts).output(dir.resolve("by-count").toString())
        .outputFormat(OutputFormat.pairs()).workDirectory(work).splitSize(100).build();
    var digits = MapReduceSpecification.builder().mapper(new DigitsOfCount()).reducer(new SumInts())
        .inputFrom(byCount).output(dir.resolve("digits").toString()).workDirectory(work).build();
    for (var spec : List.of(counts, byCount, digits)) {
      MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    }

    Map<String, Long> got = new TreeMap<>();
    Pairs.forEach(counts.output(), String.class, Long.class, got::put);
    assertThat(got).isEqualTo(oracle);
    try (Stream<Path> s = Files.list(dir.resolve("counts"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("_SUCCESS", "mr-out-00000.pairs",
          "mr-out-00001.pairs", "mr-out-00002.pairs");
    }

    TreeMap<Long, List<String>> expectedByCount = new TreeMap<>(java.util.Comparator.reverseOrder());
    oracle.forEach((w, c) -> expectedByCount.computeIfAbsent(c, k -> new ArrayList<>()).add(w));
    expectedByCount.values().forEach(l -> l.sort(null));
    @SuppressWarnings({"unchecked", "rawtypes"})
    List<Map.Entry<Long, List<String>>> stage2 = (List) Pairs.read(byCount.output(), Long.class, List.class);
    assertThat(stage2).containsExactlyElementsOf(expectedByCount.entrySet().stream()
        .map(e -> entry(e.getKey(), e.getValue())).toList());

    Map<Integer, Long> expectedDigits = new TreeMap<>();
    expectedByCount.forEach((c, ws) -> expectedDigits.merge(Long.toString(c).length(), (long) ws.size(), Long::sum));
    List<String> text = Files.readAllLines(dir.resolve("digits/mr-out-00000"));
    assertThat(text).containsExactlyElementsOf(expectedDigits.entrySet().stream()
        .map(e -> e.getKey() + "\t" + e.getValue()).toList());
  }

  public static final class CountsAsInts extends PairMapper<String, Integer, String, Long> {
    @Override
    public void map(String word, Integer count, Emitter<String, Long> emitter) {
      emitter.emit(word, (long) count);
    }
  }

  private Throwable failure(MapReduceSpecification<?, ?> spec) throws Exception {
    try {
      MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the job succeeded");
  }

  @Test
  void pairsOfOtherTypes_refusedBeforeAnyTaskNamingBothTypes_noOutput() throws Exception {
    var counts = wordCount("counts").outputFormat(OutputFormat.pairs()).build();
    MapReduce.exec(counts).get(60, TimeUnit.SECONDS);

    Throwable t = failure(MapReduceSpecification.builder().mapper(new CountsAsInts()).reducer(new EngineContract.Sum())
        .inputFormat(InputFormat.pairs(String.class, Integer.class)).input(counts.output())
        .output(dir.resolve("out").toString()).workDirectory(work).build());

    assertThat(t).isInstanceOf(MapReduceException.class).isNotInstanceOf(TaskFailedException.class)
        .hasMessage("input format pairs(String, Integer) cannot split the input: " + counts.output()
            + "/mr-out-00000.pairs holds pairs of (java.lang.String, java.lang.Long), not (java.lang.String,"
            + " java.lang.Integer) as the job expects");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void notAPairsFile_orAnUnknownVersion_orCorrupt_failsNamingTheFile() throws Exception {
    var counts = wordCount("counts").outputFormat(OutputFormat.pairs()).build();
    MapReduce.exec(counts).get(60, TimeUnit.SECONDS);
    Path file = dir.resolve("counts/mr-out-00000.pairs");
    byte[] good = Files.readAllBytes(file);
    var reader = MapReduceSpecification.builder().mapper(new ByCount()).reducer(new WordsPerCount())
        .inputFrom(counts).workDirectory(work).maxTaskAttempts(1);

    Files.writeString(file, "word\t12\n");
    assertThat(failure(reader.output(dir.resolve("o1").toString()).build())).hasMessageContaining(file.toString())
        .hasMessageContaining("not a pairs file");

    byte[] future = good.clone();
    future[7] = 9; // the version byte, after "MRPAIRS"
    Files.write(file, future);
    var again = MapReduceSpecification.builder().mapper(new ByCount()).reducer(new WordsPerCount())
        .inputFrom(counts).workDirectory(work).maxTaskAttempts(1);
    assertThat(failure(again.output(dir.resolve("o2").toString()).build())).hasMessageContaining(file.toString())
        .hasMessageContaining("version 9");

    byte[] corrupt = good.clone();
    corrupt[corrupt.length - 3] ^= 0x40;
    Files.write(file, corrupt);
    var third = MapReduceSpecification.builder().mapper(new ByCount()).reducer(new WordsPerCount())
        .inputFrom(counts).workDirectory(work).maxTaskAttempts(1);
    Throwable t = failure(third.output(dir.resolve("o3").toString()).build());
    assertThat(t).isInstanceOf(TaskFailedException.class).hasMessageContaining(file.toString());
    assertThat(dir.resolve("o3")).doesNotExist();
  }

  // ---- the harness ----------------------------------------------------------------------------

  @Test
  void harness_onLines_theRealEnginePathInMemory() {
    List<Map.Entry<String, Long>> out = JobHarness.runOnLines(MapReduceSpecification.builder()
        .mapper(new EngineContract.TokenMapper()).reducer(new EngineContract.Sum()).combiner(new EngineContract.Sum()),
        List.of("a b b", "", "c b a"));
    assertThat(out).containsExactly(entry("a", 2L), entry("b", 3L), entry("c", 1L));
  }

  /** (user, score) to (user, score): scores per user. */
  public static final class Scores extends PairMapper<String, Long, String, Long> {
    @Override
    public void map(String user, Long score, Emitter<String, Long> emitter) {
      emitter.emit(user, score);
    }
  }

  @Test
  void harness_onTypedPairs_withAPairReducerAndDescendingOrder() {
    List<Map.Entry<String, Double>> out = JobHarness.runOnPairs(MapReduceSpecification.builder()
        .mapper(new Scores()).reducer(new InputOutputFormatsTest.Average()).sortDescending(), String.class, Long.class,
        List.of(entry("ann", 3L), entry("bob", 10L), entry("ann", 4L), entry("cy", 1L)));
    assertThat(out).containsExactly(entry("cy", 1.0), entry("bob", 10.0), entry("ann", 3.5));
  }
}
