package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.PairReducer;
import io.mapreduce.Reducer;
import io.mapreduce.TaskContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mean value of each key. Input lines: {@code key value}, separated by whitespace (spaces and
 * tabs, any number, leading and trailing ignored), the value a decimal {@code long}; blank lines
 * are skipped, and any other line (one field, three, a value that is not a {@code long}) is
 * counted in the user counter {@value #MALFORMED} and skipped. Output lines: {@code key<TAB>mean},
 * the mean as {@link Double#toString(double)} prints it, keys in UTF-8 order in each file.
 *
 * <p>A mean of means is not the mean, so a combiner cannot average partial groups; it can sum
 * them. The values are {@code (sum, count)} pairs: the combiner, a {@code Reducer<String,
 * SumCount>}, adds them up before the shuffle (a combiner must emit the types it reads), and only
 * the reducer, a {@code PairReducer<String, SumCount, String, Double>}, divides. The sum is exact
 * ({@link Math#addExact}: a sum beyond the range of {@code long} fails the task, naming the key,
 * rather than wrapping), so the mean, {@code (double) sum / count}, is the same whatever the order
 * and grouping of the additions (and the double nearest the exact mean while the sum is below
 * 2<sup>53</sup> in magnitude).
 */
public final class Average {
  /** The user counter of malformed lines. */
  public static final String MALFORMED = "average.malformed";

  private Average() {}

  public static MapReduceSpecification.Builder<String, SumCount> builder() {
    return MapReduceSpecification.builder()
        .mapper(new ValueMapper())
        .reducer(new MeanReducer())
        .combiner(new SumCountCombiner());
  }

  /** A partial sum and the number of values in it. */
  public record SumCount(long sum, long count) {
    SumCount plus(SumCount other) {
      return new SumCount(Math.addExact(sum, other.sum), count + other.count);
    }
  }

  /** Emits {@code (key, (value, 1))} for each well-formed line. */
  public static final class ValueMapper extends Mapper<String, SumCount> {
    // \s is ASCII whitespace: space, tab, and the rarer \u000B and \f.
    private static final Pattern KEY_VALUE = Pattern.compile("\\s*(\\S+)\\s+(\\S+)\\s*");
    private transient Matcher matcher;
    private transient TaskContext.Counter malformed;

    @Override
    public void setup(TaskContext context) {
      matcher = KEY_VALUE.matcher("");
      malformed = context.counter(MALFORMED);
    }

    @Override
    public void map(long offset, String line, Emitter<String, SumCount> emitter) {
      if (line.isBlank()) {
        return;
      }
      if (matcher.reset(line).matches()) {
        try {
          emitter.emit(matcher.group(1), new SumCount(Long.parseLong(matcher.group(2)), 1));
          return;
        } catch (NumberFormatException notALong) {
          // counted below
        }
      }
      malformed.increment();
    }
  }

  /** Adds up partial sums and counts: the combiner. */
  public static final class SumCountCombiner extends Reducer<String, SumCount> {
    @Override
    public void reduce(String key, Iterable<SumCount> values, Emitter<String, SumCount> emitter) {
      emitter.emit(key, total(values));
    }
  }

  /** Divides the total by the count. */
  public static final class MeanReducer extends PairReducer<String, SumCount, String, Double> {
    @Override
    public void reduce(String key, Iterable<SumCount> values, Emitter<String, Double> emitter) {
      SumCount t = total(values);
      emitter.emit(key, (double) t.sum() / t.count());
    }
  }

  static SumCount total(Iterable<SumCount> values) {
    SumCount t = new SumCount(0, 0);
    for (SumCount v : values) {
      t = t.plus(v);
    }
    return t;
  }
}
