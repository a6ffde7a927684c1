package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;

/**
 * Word count, the paper's first example. A word is a maximal run of Unicode letters
 * ({@link Character#isLetter(int)} on code points, so letters outside the BMP count), case kept.
 * Output lines: {@code word<TAB>count}.
 */
public final class WordCount {
  private WordCount() {}

  /** A builder with the mapper, reducer and combiner set; add inputs, output and options. */
  public static MapReduceSpecification.Builder<String, Long> builder() {
    return MapReduceSpecification.builder()
        .mapper(new WordCountMapper())
        .reducer(new SumReducer())
        .combiner(new SumReducer());
  }

  /** Emits {@code (word, 1)} for every word of the line. */
  public static final class WordCountMapper extends Mapper<String, Long> {
    private static final Long ONE = 1L;

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      Words.forEach(line, word -> emitter.emit(word, ONE));
    }
  }

  /** Sums the counts of a word: the reducer, and the combiner. */
  public static final class SumReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String word, Iterable<Long> counts, Emitter<String, Long> emitter) {
      long sum = 0;
      for (long c : counts) {
        sum += c;
      }
      emitter.emit(word, sum);
    }
  }
}
