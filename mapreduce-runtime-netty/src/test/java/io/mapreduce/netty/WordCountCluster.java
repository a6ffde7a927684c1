package io.mapreduce.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.Emitter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A small word count, checked against a sequential count of the same input: the "does the
 * cluster still work" probe of the robustness tests.
 */
public final class WordCountCluster {
  private final Path dir;
  private final Path input;
  private final Map<String, Long> expected;
  private final AtomicInteger runs = new AtomicInteger();

  /** Writes a small input under {@code dir}. */
  public WordCountCluster(Path dir) throws IOException {
    this.dir = dir;
    this.input = Files.createDirectories(dir.resolve("in"));
    Random random = new Random(42);
    String[] words = {"apple", "banana", "cherry", "date", "elder", "fig", "Ünïcode"};
    for (int f = 0; f < 2; f++) {
      StringBuilder sb = new StringBuilder();
      for (int l = 0; l < 300; l++) {
        for (int w = 0; w < 1 + random.nextInt(6); w++) {
          sb.append(words[random.nextInt(words.length)]).append(random.nextInt(20)).append(' ');
        }
        sb.append('\n');
      }
      Files.writeString(input.resolve("part-" + f + ".txt"), sb.toString());
    }
    this.expected = sequentialCount(input);
  }

  public Path input() {
    return input;
  }

  public Map<String, Long> expected() {
    return expected;
  }

  /** A word-count specification for the cluster at 127.0.0.1:masterPort, to a fresh output directory. */
  public MapReduceSpecification<?, ?> spec(int masterPort) {
    return MapReduceSpecification.builder()
        .mapper(new SplitMapper()).reducer(new Sum()).combiner(new Sum())
        .input(input.toString()).output(dir.resolve("out-" + runs.incrementAndGet()).toString())
        .reduceTasks(2).splitSize(4 << 10).cluster("127.0.0.1:" + masterPort).build();
  }

  /** Runs the word count on the cluster and checks its output against the sequential count. */
  public void runAndCheck(int masterPort) throws Exception {
    JobResult result = MapReduce.exec(spec(masterPort)).get(30, TimeUnit.SECONDS);
    assertThat(readOutput(result)).isEqualTo(expected);
  }

  public static Map<String, Long> readOutput(JobResult result) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (var uri : result.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(uri), StandardCharsets.UTF_8)) {
        String[] kv = line.split("\t");
        assertThat(counts.put(kv[0], Long.parseLong(kv[1]))).as("key %s in two output files", kv[0]).isNull();
      }
    }
    return counts;
  }

  /**
   * Writes {@code files} files of {@code linesPerFile} lines of seeded random words (with digits,
   * and a word outside ASCII) into {@code in}, for the jobs of the cluster tests.
   */
  public static Path writeWords(Path in, int files, int linesPerFile, long seed) throws IOException {
    Files.createDirectories(in);
    Random random = new Random(seed);
    String[] words = {"apple", "banana", "cherry", "date", "elder", "fig", "grape", "Ünïcode", "kiwi", "lime"};
    for (int f = 0; f < files; f++) {
      StringBuilder sb = new StringBuilder();
      for (int l = 0; l < linesPerFile; l++) {
        for (int w = 0; w < 1 + random.nextInt(8); w++) {
          sb.append(words[random.nextInt(words.length)]).append(random.nextInt(50)).append(' ');
        }
        sb.append('\n');
      }
      Files.writeString(in.resolve("part-" + f + ".txt"), sb.toString());
    }
    return in;
  }

  /** The oracle: counts the space-separated words of the files in {@code in} by a plain loop. */
  public static Map<String, Long> sequentialCount(Path in) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(in)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f)) {
          for (String w : line.split(" ")) {
            if (!w.isEmpty()) {
              counts.merge(w, 1L, Long::sum);
            }
          }
        }
      }
    }
    return counts;
  }

  public static final class SplitMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          emitter.emit(w, 1L);
        }
      }
    }
  }

  public static final class Sum extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long s = 0;
      for (long v : values) {
        s += v;
      }
      emitter.emit(key, s);
    }
  }
}
