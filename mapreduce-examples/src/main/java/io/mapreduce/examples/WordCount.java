package io.mapreduce.examples;

import io.mapreduce.BytesMapper;
import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.lib.LongSumReducer;

/**
 * Word count, the paper's first example. A word is a maximal run of Unicode letters
 * ({@link Character#isLetter(int)} on code points, so letters outside the BMP count), case kept.
 * Output lines: {@code word<TAB>count}.
 *
 * <p>It takes the library's fast path, open to any job: a {@link BytesMapper} scans each line's
 * bytes and emits each word with {@link Emitter#emitUtf8}, and {@link LongSumReducer} as the
 * combiner lets map tasks sum counts by the words' bytes, so no {@code String} is made per line
 * or per word.
 */
public final class WordCount {
  private WordCount() {}

  /** A builder with the mapper, reducer and combiner set; add inputs, output and options. */
  public static MapReduceSpecification.Builder<String, Long> builder() {
    return MapReduceSpecification.builder()
        .mapper(new WordCountMapper())
        .reducer(new LongSumReducer<String>())
        .combiner(new LongSumReducer<String>());
  }

  /** Emits {@code (word, 1)} for every word of the line. */
  public static final class WordCountMapper extends BytesMapper<String, Long> implements Words.Utf8Words {
    private static final Long ONE = 1L;
    private transient Emitter<String, Long> emitter;

    @Override
    public void map(long offset, byte[] line, int start, int length, Emitter<String, Long> emitter) {
      this.emitter = emitter;
      Words.forEachUtf8(line, start, start + length, this);
    }

    @Override
    public void word(byte[] bytes, int start, int length) {
      emitter.emitUtf8(bytes, start, length, ONE);
    }
  }
}
