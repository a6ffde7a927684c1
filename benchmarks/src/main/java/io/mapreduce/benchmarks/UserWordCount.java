package io.mapreduce.benchmarks;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import io.mapreduce.examples.Words;

/**
 * Word count as a user writes it from the README's first example: a {@code Mapper<String, Long>}
 * over {@code String} lines and a {@code Reducer} summing {@code Iterable<Long>}, as reducer and
 * combiner, run embedded with {@code MapReduce.exec(spec).get()} and the engine's defaults. Not the
 * fast path: the same words as the bundled {@code wordcount} ({@link Words#forEach}), found in
 * strings.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mapreduce.benchmarks.UserWordCount \
 *     --output DIR [--work-dir DIR] INPUT...
 * </pre>
 */
public final class UserWordCount {
  private UserWordCount() {}

  /** Emits (word, 1) for each word, as a String. */
  public static final class Tokens extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> out) {
      Words.forEach(line, w -> out.emit(w, 1L));
    }
  }

  /** Sums the counts of a word. */
  public static final class Sum extends Reducer<String, Long> {
    @Override
    public void reduce(String word, Iterable<Long> counts, Emitter<String, Long> out) {
      long n = 0;
      for (long c : counts) {
        n += c;
      }
      out.emit(word, n);
    }
  }

  public static void main(String[] args) throws Exception {
    MapReduceSpecification.Builder<String, Long> b = MapReduceSpecification.builder().mapper(new Tokens())
        .reducer(new Sum()).combiner(new Sum());
    boolean any = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--output" -> b.output(args[++i]);
        case "--work-dir" -> b.workDirectory(java.nio.file.Path.of(args[++i]));
        default -> {
          b.input(args[i]);
          any = true;
        }
      }
    }
    if (!any) {
      System.err.println("usage: UserWordCount --output DIR [--work-dir DIR] INPUT...");
      System.exit(2);
    }
    MapReduce.exec(b.build()).get();
  }
}
