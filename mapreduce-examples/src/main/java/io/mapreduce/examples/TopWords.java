package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.Job;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.PairMapper;
import io.mapreduce.Reducer;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.lib.TotalOrderPartitioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * The K most frequent words, by two chained jobs: a word count that writes typed pairs
 * ({@link #countsBuilder()}), then a job that reads them back ({@code inputFrom}), turns each
 * {@code (word, count)} into {@code (count, word)}, sorts counts in decreasing order and keeps the
 * first K in its one reduce task ({@link #builder}). Output lines: {@code count<TAB>word}, most
 * frequent first; words of equal count in the UTF-8 byte order of the words (as keys sort), so
 * the output is the same on every run. Words are {@link WordCount}'s.
 *
 * <pre>{@code
 * var counts = TopWords.countsBuilder()
 *     .input("books")
 *     .output("top.counts")                 // a local directory; removed by run(), whatever happens
 *     .reduceTasks(4)
 *     .build();
 * var top = TopWords.builder(counts, 10)    // reads what counts wrote
 *     .output("top")
 *     .build();
 * JobResult result = TopWords.run(counts, top);
 * }</pre>
 *
 * <p>A combiner keeps, of each count, only the K words that come first: no other can be in the
 * top K, and the long tail of words seen once shrinks to K pairs per map task before the shuffle.
 */
public final class TopWords {
  /** K unless told otherwise. */
  public static final int DEFAULT_TOP = 10;
  private static final Comparator<String> UTF8 = TotalOrderPartitioner::compareUtf8;

  private TopWords() {}

  /** The first job: {@link WordCount}'s mapper, reducer and combiner, writing typed pairs. */
  public static MapReduceSpecification.Builder<String, Long> countsBuilder() {
    return WordCount.builder().outputFormat(OutputFormat.pairs());
  }

  /**
   * The second job, reading the output of {@code counts}: one reduce task, counts in decreasing
   * order, the first {@code k} {@code (count, word)} pairs out. Add the output and options.
   *
   * @throws IllegalArgumentException if {@code k} is not positive, or the counts do not go to a
   *     local directory (which {@link #run} removes; it could not remove one in other storage)
   */
  public static MapReduceSpecification.Builder<Long, String> builder(MapReduceSpecification<String, Long> counts,
      int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1 but was " + k);
    }
    localPath(counts.output());
    return MapReduceSpecification.builder()
        .mapper(new ByCount())
        .reducer(new FirstK(k))
        .combiner(new FirstWordsOfEachCount(k))
        .sortDescending()
        .reduceTasks(1)
        .inputFrom(counts);
  }

  /**
   * Runs {@code counts}, then {@code top}, and removes the counts directory afterwards, whether
   * the jobs succeed, fail or are interrupted (an interrupt cancels the running job first). A
   * counts directory that was there before is left alone (the first job then fails on it).
   *
   * @return the result of the second job
   * @throws IllegalArgumentException when {@code top} does not read {@code counts}' output
   * @throws IllegalStateException when {@code top}'s output directory exists (checked before the
   *     word count runs, not after)
   * @throws ExecutionException when a job fails, with its cause
   */
  public static JobResult run(MapReduceSpecification<String, Long> counts, MapReduceSpecification<Long, String> top)
      throws ExecutionException, InterruptedException {
    if (!top.inputs().equals(List.of(counts.outputFiles()))) {
      throw new IllegalArgumentException("the second job reads " + top.inputs() + ", not the counts in "
          + counts.output() + ": make it with TopWords.builder(counts, k)");
    }
    if (localDirectoryExists(top.output())) {
      throw new IllegalStateException("output directory already exists: " + top.output()
          + " (remove it or choose another; it was not touched)");
    }
    // A counts directory that was there before is not ours to remove: the word count fails on it.
    boolean ours = !localDirectoryExists(counts.output());
    try {
      await(MapReduce.exec(counts));
      return await(MapReduce.exec(top));
    } finally {
      if (ours) {
        removeCounts(counts);
      }
    }
  }

  /** Whether a local directory exists; false for other storage, which this class does not look into. */
  public static boolean localDirectoryExists(String directory) {
    try {
      return Files.exists(localPath(directory));
    } catch (IllegalArgumentException otherStorage) {
      return false;
    }
  }

  /**
   * Removes the output directory of {@code counts} and all in it, if it is there: for callers that
   * run the jobs themselves (the command line does, to show their progress).
   */
  public static void removeCounts(MapReduceSpecification<String, Long> counts) {
    Path dir = localPath(counts.output());
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + dir, e);
      }
    }
  }

  /** The job's result; on an interrupt, cancels it and waits until it has stopped writing. */
  private static JobResult await(Job job) throws ExecutionException, InterruptedException {
    try {
      return job.get();
    } catch (InterruptedException e) {
      job.cancel(true);
      job.awaitTermination(Duration.ofSeconds(30));
      throw e;
    }
  }

  /** A local directory as a path; IllegalArgumentException for other storage, such as {@code s3://}. */
  private static Path localPath(String directory) {
    if (directory.matches("[a-zA-Z][a-zA-Z0-9+.-]*:/.*") && !directory.startsWith("file:")) {
      throw new IllegalArgumentException("the word counts of topwords must go to a local directory, which it"
          + " removes when done (it cannot remove one in other storage), not " + directory);
    }
    return directory.startsWith("file:") ? Path.of(URI.create(directory)) : Path.of(directory);
  }

  /** Turns {@code (word, count)} into {@code (count, word)}. */
  public static final class ByCount extends PairMapper<String, Long, Long, String> {
    @Override
    public void map(String word, Long count, Emitter<Long, String> emitter) {
      emitter.emit(count, word);
    }
  }

  /** Of each count, the first {@code k} words: no other word of that count can be in the top k. */
  public static final class FirstWordsOfEachCount extends Reducer<Long, String> {
    private final int k;

    public FirstWordsOfEachCount(int k) {
      this.k = k;
    }

    @Override
    public void reduce(Long count, Iterable<String> words, Emitter<Long, String> emitter) {
      for (String w : first(words, k)) {
        emitter.emit(count, w);
      }
    }
  }

  /** Emits the first {@code k} pairs: counts arrive largest first, and words of a count in UTF-8 order. */
  public static final class FirstK extends Reducer<Long, String> {
    private final int k;
    private transient int emitted;

    public FirstK(int k) {
      this.k = k;
    }

    @Override
    public void reduce(Long count, Iterable<String> words, Emitter<Long, String> emitter) {
      if (emitted == k) {
        return;
      }
      for (String w : first(words, k - emitted)) {
        emitter.emit(count, w);
        emitted++;
      }
    }
  }

  /** The {@code n} first words in UTF-8 order, sorted, holding no more than {@code n + 1} at a time. */
  static List<String> first(Iterable<String> words, int n) {
    PriorityQueue<String> kept = new PriorityQueue<>(UTF8.reversed());
    for (String w : words) {
      kept.add(w);
      if (kept.size() > n) {
        kept.poll();
      }
    }
    return kept.stream().sorted(UTF8).toList();
  }
}
