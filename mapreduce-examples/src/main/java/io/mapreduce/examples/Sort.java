package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import io.mapreduce.lib.TotalOrderPartitioner;
import java.util.List;

/**
 * Sorts the input lines by their UTF-8 bytes (as {@code LC_ALL=C sort}), duplicates kept. A
 * total-order partitioner sampled from the input makes {@code cat mr-out-*} the whole input
 * sorted. Output lines are the input lines alone.
 */
public final class Sort {
  /** Lines sampled to choose the partition boundaries. */
  public static final int SAMPLES = 100_000;

  private Sort() {}

  /**
   * A builder for sorting {@code inputs} into {@code reduceTasks} ranges; the inputs are set and
   * sampled here.
   *
   * @throws IllegalArgumentException if {@code reduceTasks} or {@code splitSize} is not positive
   */
  public static MapReduceSpecification.Builder<String, Void> builder(List<String> inputs, int reduceTasks,
      long splitSize) {
    // Checked before sampling, which cuts the input into splits of this size and would never end
    // with a size of zero.
    if (splitSize <= 0) {
      throw new IllegalArgumentException("splitSize must be positive but was " + splitSize);
    }
    return MapReduceSpecification.builder()
        .mapper(new LineMapper())
        .reducer(new LinesReducer())
        .input(inputs.toArray(String[]::new))
        .reduceTasks(reduceTasks)
        .partitioner(TotalOrderPartitioner.sampleLines(inputs, reduceTasks, splitSize, SAMPLES));
  }

  /** Emits each line as a key with no value. */
  public static final class LineMapper extends Mapper<String, Void> {
    @Override
    public void map(long offset, String line, Emitter<String, Void> emitter) {
      emitter.emit(line, null);
    }
  }

  /** Writes a line once for each time it occurred. */
  public static final class LinesReducer extends Reducer<String, Void> {
    @Override
    public void reduce(String line, Iterable<Void> occurrences, Emitter<String, Void> emitter) {
      for (Void ignored : occurrences) {
        emitter.emit(line, null);
      }
    }
  }
}
