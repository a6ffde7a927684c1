package io.mapreduce;

/**
 * The map function: one input record in, zero or more intermediate {@code (K, V)} pairs out.
 *
 * <p>Input records are the lines of text files, read as UTF-8: {@code offset} is the byte offset in
 * the file at which the line starts, {@code line} is the line without its terminator. The file is
 * {@link TaskContext#inputFile()}: a map task reads one split of one file.
 *
 * <p>The instance in the specification is a template: each task attempt works on its own copy,
 * made by serializing the template with Kryo (as the cluster runtime ships it to workers). Fields
 * are therefore configuration, and per-task state belongs in fields set up in {@link #setup}.
 */
public abstract class Mapper<K, V> {

  /** Called once per task attempt before the first record. */
  public void setup(TaskContext context) throws Exception {}

  /** Maps one line; may emit any number of pairs. */
  public abstract void map(long offset, String line, Emitter<K, V> emitter) throws Exception;

  /** Called once per task attempt after the last record; may emit further pairs. */
  public void cleanup(Emitter<K, V> emitter) throws Exception {}
}
