package io.mapreduce.lib.streaming;

import io.mapreduce.Emitter;
import io.mapreduce.Reducer;
import io.mapreduce.internal.engine.LineOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Hadoop Streaming's {@code -reducer aggregate}: Hadoop's Aggregate package, whose mapper prints
 * lines {@code TYPE:NAME<TAB>VALUE} and whose reducer writes {@code NAME<TAB>REPORT} for each
 * {@code TYPE:NAME}, as Hadoop's {@code ValueAggregatorReducer} does. The types (their case does not
 * matter, as in Hadoop):
 *
 * <ul>
 *   <li>{@code LongValueSum}, {@code LongValueMax}, {@code LongValueMin}: the sum (wrapping on
 *       overflow), greatest and least of long integers;
 *   <li>{@code DoubleValueSum}: the sum of doubles, printed as Java prints a double
 *       ({@code 3.0}, {@code 1.0E10});
 *   <li>{@code StringValueMax}, {@code StringValueMin}: the greatest and least value, as Java
 *       strings compare;
 *   <li>{@code UniqValueCount}: the number of distinct values;
 *   <li>{@code ValueHistogram}: of the values (a value {@code v<TAB>n} counts as {@code n}
 *       occurrences of {@code v}), the number of distinct ones, then the least, median, greatest
 *       and mean number of occurrences and their standard deviation, tab-separated.
 * </ul>
 *
 * <p>The keys keep their {@code TYPE:} through the shuffle, so {@code LongValueMax:x} and
 * {@code LongValueMin:x} stay two keys (and two output lines {@code x<TAB>...}). A key without
 * {@code :}, of an unknown type, or with a value that is not the number its type wants fails the
 * task with a {@link StreamingException} naming the key and value (Hadoop's fails with a bare
 * Java exception).
 *
 * <p>{@link #combiner()} is Hadoop's {@code ValueAggregatorCombiner}, which Hadoop Streaming sets
 * with {@code -reducer aggregate}: it adds up each key's values in the map task and emits the
 * partial result under the same key; the reducer's result is the same with it as without.
 */
public final class AggregateReducer extends Reducer<byte[], byte[]> implements LineOutput {
  private static final int MAX_SHOWN = 200;

  private final boolean combiner;
  private final long maxUniqueValues;

  private AggregateReducer(boolean combiner, long maxUniqueValues) {
    this.combiner = combiner;
    this.maxUniqueValues = maxUniqueValues;
  }

  /** The reducer: writes one line {@code NAME<TAB>REPORT} per key {@code TYPE:NAME}. */
  public static AggregateReducer of() {
    return new AggregateReducer(false, Long.MAX_VALUE);
  }

  /**
   * The reducer, with Hadoop's {@code aggregate.max.num.unique.values}: {@code UniqValueCount}
   * stops taking new values once it holds more than {@code maxUniqueValues}, as Hadoop's does, so
   * it reports at most {@code maxUniqueValues + 1}. (Hadoop's combiner has no limit; nor has
   * {@link #combiner()}.)
   *
   * @throws IllegalArgumentException if {@code maxUniqueValues} is less than 1 (for no limit, use
   *     {@link #of()})
   */
  public static AggregateReducer of(long maxUniqueValues) {
    if (maxUniqueValues < 1) {
      throw new IllegalArgumentException("maxUniqueValues must be at least 1 but was " + maxUniqueValues);
    }
    return new AggregateReducer(false, maxUniqueValues);
  }

  /** The combiner: emits each key's partial aggregate under the same key, for {@link #of()} to finish. */
  public static AggregateReducer combiner() {
    return new AggregateReducer(true, Long.MAX_VALUE);
  }

  /** Whether this is the combiner rather than the reducer. */
  public boolean isCombiner() {
    return combiner;
  }

  @Override
  public void reduce(byte[] key, Iterable<byte[]> values, Emitter<byte[], byte[]> emitter) throws Exception {
    int colon = indexOf(key, (byte) ':');
    if (colon < 0) {
      throw new StreamingException("aggregate: key '" + shown(key, 0, key.length) + "' has no TYPE: before its"
          + " name (TYPE is one of " + Aggregators.TYPES + ")");
    }
    String type = new String(key, 0, colon, StandardCharsets.UTF_8);
    Aggregators.Aggregator aggregator = Aggregators.forType(type, maxUniqueValues);
    if (aggregator == null) {
      throw new StreamingException("aggregate: key '" + shown(key, 0, key.length) + "' has the unknown type '"
          + type + "' (not one of " + Aggregators.TYPES + ")");
    }
    for (byte[] value : values) {
      try {
        aggregator.add(value);
      } catch (Aggregators.BadValueException e) {
        throw new StreamingException("aggregate: key '" + shown(key, 0, key.length) + "' has the value '"
            + shown(value, 0, value.length) + "': " + e.getMessage());
      }
    }
    if (combiner) {
      for (byte[] partial : aggregator.combinerOutput()) {
        emitter.emit(key, partial);
      }
      return;
    }
    // The whole line as the key (LineOutput): NAME<TAB>REPORT, as Hadoop's text output writes it.
    byte[] report = aggregator.report().getBytes(StandardCharsets.UTF_8);
    int nameLength = key.length - colon - 1;
    byte[] line = Arrays.copyOfRange(key, colon + 1, colon + 1 + nameLength + 1 + report.length);
    line[nameLength] = '\t';
    System.arraycopy(report, 0, line, nameLength + 1, report.length);
    emitter.emit(line, StreamingMapper.EMPTY);
  }

  @Override
  public String toString() {
    return combiner ? "aggregate combiner"
        : maxUniqueValues == Long.MAX_VALUE ? "aggregate" : "aggregate (at most " + maxUniqueValues + " unique values)";
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Bytes for a message: as text, cut short, with tabs and line ends visible. */
  private static String shown(byte[] bytes, int from, int to) {
    String s = new String(bytes, from, Math.min(to - from, MAX_SHOWN), StandardCharsets.UTF_8)
        .replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    return to - from > MAX_SHOWN ? s + "..." : s;
  }
}
