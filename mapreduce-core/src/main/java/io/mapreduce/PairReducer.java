package io.mapreduce;

/**
 * The reduce function with output types of its own: one key with all its values in, zero or more
 * {@code (KO, VO)} pairs out, such as an average ({@code (String, Long)} in, {@code (String,
 * Double)} out) or an inverted index ({@code (String, String)} in, {@code (String, List<String>)}
 * out). A {@link Reducer} is the special case that emits the types it reads, and only a
 * {@code Reducer} can be a combiner.
 *
 * <p>Keys reach {@code reduce} in the job's key order (increasing encoded bytes by default);
 * {@code values} may be iterated once and are freshly decoded objects, never reused. As for
 * mappers, each task attempt works on its own Kryo copy of the instance.
 *
 * @param <K> the intermediate key type
 * @param <V> the intermediate value type
 * @param <KO> the output key type
 * @param <VO> the output value type
 */
public abstract class PairReducer<K, V, KO, VO> {

  /** Called once per task attempt before the first key. */
  public void setup(TaskContext context) throws Exception {}

  /** Reduces one key; may emit any number of pairs. */
  public abstract void reduce(K key, Iterable<V> values, Emitter<KO, VO> emitter) throws Exception;

  /** Called once per task attempt after the last key; may emit further pairs. */
  public void cleanup(Emitter<KO, VO> emitter) throws Exception {}
}
