package io.mapreduce;

/**
 * The map function over typed input records: one {@code (KI, VI)} pair in, zero or more
 * intermediate {@code (K, V)} pairs out. The records come from the job's
 * {@link io.mapreduce.format.InputFormat}: key/value text lines, whole files, the typed pairs an
 * earlier job wrote, or a format of your own. A {@link Mapper} is the special case of text lines,
 * {@code (Long offset, String line)}.
 *
 * <p>The instance in the specification is a template: each task attempt works on its own copy,
 * made by serializing the template with Kryo (as the cluster runtime ships it to workers). Fields
 * are therefore configuration, and per-task state belongs in fields set up in {@link #setup}.
 *
 * @param <KI> the input record's key type
 * @param <VI> the input record's value type
 * @param <K> the intermediate key type
 * @param <V> the intermediate value type
 */
public abstract class PairMapper<KI, VI, K, V> {

  /** Called once per task attempt before the first record. */
  public void setup(TaskContext context) throws Exception {}

  /** Maps one record; may emit any number of pairs. The objects given are not reused. */
  public abstract void map(KI key, VI value, Emitter<K, V> emitter) throws Exception;

  /** Called once per task attempt after the last record; may emit further pairs. */
  public void cleanup(Emitter<K, V> emitter) throws Exception {}
}
