package io.mapreduce;

/**
 * The reduce function: one key with all its values in, zero or more output pairs out.
 *
 * <p>Keys reach {@code reduce} in increasing order of their encoded bytes (UTF-8 byte order for
 * strings, numeric order for numbers). {@code values} may be iterated once: a second call to
 * {@code iterator()} throws {@link IllegalStateException}, because the values stream from the merge
 * and are never all held in memory. Unlike Hadoop, value objects are <em>not</em> reused: every
 * {@code next()} returns a freshly decoded object, so keeping references to earlier values is safe.
 *
 * <p>A reducer named as the combiner of a job runs on partial groups of map output, zero or more
 * times; its output pairs are fed back into the shuffle, so it must emit the same types it reads.
 * As in Hadoop, it may run on any subset of a key's values and on its own output, so it must
 * compute something whose parts combine (a sum, a maximum, a union), give the same output for the
 * same input, and not decide what to emit from state kept across {@code reduce} calls. Map tasks
 * rely on this: they fold a long run of equal values (a word's {@code 1}s) through the combiner 16
 * at a time rather than hand it every copy. On the map side a combiner of immutable values
 * (strings, numbers, records of those) may get one object for several equal values.
 *
 * <p>As for {@link Mapper}, each task attempt works on its own Kryo copy of the instance. A
 * reducer that emits other types than it reads is a {@link PairReducer}.
 */
public abstract class Reducer<K, V> extends PairReducer<K, V, K, V> {

  /** Reduces one key; may emit any number of pairs of the types it reads. */
  @Override
  public abstract void reduce(K key, Iterable<V> values, Emitter<K, V> emitter) throws Exception;
}
