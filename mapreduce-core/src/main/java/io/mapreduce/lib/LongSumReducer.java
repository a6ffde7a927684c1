package io.mapreduce.lib;

import io.mapreduce.Emitter;
import io.mapreduce.Reducer;

/**
 * Sums the {@code Long} values of each key (as Hadoop's {@code LongSumReducer}): word count's
 * reducer and combiner. As the combiner it is more than a convenience: a map task that knows its
 * combiner only adds numbers keeps one {@code long} per key in a table of encoded keys, instead of
 * the values themselves, and makes no object per emitted pair. Sums wrap around on overflow, as
 * Java's {@code long} addition does.
 *
 * <pre>{@code
 * MapReduceSpecification.builder().mapper(new WordMapper())
 *     .reducer(new LongSumReducer<>()).combiner(new LongSumReducer<>())
 * }</pre>
 */
public final class LongSumReducer<K> extends Reducer<K, Long> {
  @Override
  public void reduce(K key, Iterable<Long> values, Emitter<K, Long> emitter) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    emitter.emit(key, sum);
  }
}
