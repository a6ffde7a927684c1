package io.mapreduce;

import io.mapreduce.thirdparty.com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of named counters: the built-in ones below and the user's, by name. A job's
 * counters sum the successful attempt of each task only, as in the paper, so retried tasks never
 * count twice.
 */
public final class Counters {
  /** Lines read by map tasks. */
  public static final String MAP_INPUT_RECORDS = "map.input.records";
  /** Bytes of input consumed by map tasks (line terminators included). */
  public static final String MAP_INPUT_BYTES = "map.input.bytes";
  /** Pairs emitted by mappers. */
  public static final String MAP_OUTPUT_RECORDS = "map.output.records";
  /** Encoded bytes (key plus value) of the pairs emitted by mappers. */
  public static final String MAP_OUTPUT_BYTES = "map.output.bytes";
  /** Pairs fed to the combiner. */
  public static final String COMBINE_INPUT_RECORDS = "combine.input.records";
  /** Pairs the combiner emitted. */
  public static final String COMBINE_OUTPUT_RECORDS = "combine.output.records";
  /** Records written to intermediate files (spills and merges). */
  public static final String SPILLED_RECORDS = "spilled.records";
  /** Records skipped as bad (map input lines, or reduce groups), with skipping on. */
  public static final String SKIPPED_RECORDS = "skipped.records";
  /** Distinct keys seen by reducers. */
  public static final String REDUCE_INPUT_GROUPS = "reduce.input.groups";
  /** Values seen by reducers. */
  public static final String REDUCE_INPUT_RECORDS = "reduce.input.records";
  /** Lines written to the job's output files. */
  public static final String OUTPUT_RECORDS = "output.records";

  private static final Counters EMPTY = new Counters(ImmutableSortedMap.of());

  private final ImmutableSortedMap<String, Long> values;

  private Counters(ImmutableSortedMap<String, Long> values) {
    this.values = values;
  }

  /** Counters with the given values. */
  public static Counters of(Map<String, Long> values) {
    return values.isEmpty() ? EMPTY : new Counters(ImmutableSortedMap.copyOf(values));
  }

  /** The value of a counter, zero if it was never incremented. */
  public long get(String name) {
    Objects.requireNonNull(name, "name");
    return values.getOrDefault(name, 0L);
  }

  /** All counters by name, in name order. */
  public Map<String, Long> asMap() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Counters c && c.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
