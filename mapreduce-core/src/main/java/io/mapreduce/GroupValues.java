package io.mapreduce;

/**
 * The values a reduce task's reducer gets, with the whole key of each: under
 * {@link MapReduceSpecification.Builder#groupByPrefix secondary sort} one group holds keys that
 * differ past the prefix, and {@link #currentKey()} tells which one the value last returned came
 * with (Hadoop's reducers see the key object change as they iterate; here the key given to
 * {@code reduce} stays the group's first, and this says the rest):
 *
 * <pre>{@code
 * public void reduce(Event first, Iterable<Long> values, Emitter<String, String> out) {
 *   GroupValues<Event, Long> group = GroupValues.of(values);
 *   for (long v : group) {
 *     Event e = group.currentKey();   // the key of v
 *   }
 * }
 * }</pre>
 *
 * <p>A combiner's values do not have it: combining never spans keys.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface GroupValues<K, V> extends Iterable<V> {

  /**
   * The whole key of the value the iterator returned last, freshly decoded; before the first
   * value, the group's first key.
   */
  K currentKey();

  /**
   * The values a reduce task passed to {@code reduce}, as {@link GroupValues}.
   *
   * @throws IllegalArgumentException for other values (a combiner's, or a collection of one's own)
   */
  @SuppressWarnings("unchecked")
  static <K, V> GroupValues<K, V> of(Iterable<V> values) {
    if (values instanceof GroupValues<?, ?> g) {
      return (GroupValues<K, V>) g;
    }
    throw new IllegalArgumentException("these values come from a combiner or from outside a reduce task, and have"
        + " no keys of their own");
  }
}
