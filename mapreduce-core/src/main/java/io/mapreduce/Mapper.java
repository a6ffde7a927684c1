package io.mapreduce;

/**
 * The map function: one input record in, zero or more intermediate {@code (K, V)} pairs out.
 *
 * <p>Input records are the lines of text files, read as UTF-8: {@code offset} is the byte offset in
 * the file at which the line starts (in the decompressed text of a compressed file), {@code line}
 * is the line without its terminator. The file is {@link TaskContext#inputFile()}. A mapper reads
 * the input formats of lines ({@link io.mapreduce.format.InputFormat#text()} and its variants); for
 * other records (key/value lines, whole files, typed pairs) extend {@link PairMapper}.
 *
 * <p>The instance in the specification is a template: each task attempt works on its own copy,
 * made by serializing the template with Kryo (as the cluster runtime ships it to workers). Fields
 * are therefore configuration, and per-task state belongs in fields set up in {@link #setup}.
 */
public abstract class Mapper<K, V> extends PairMapper<Long, String, K, V> {

  /** Maps one line; may emit any number of pairs. */
  public abstract void map(long offset, String line, Emitter<K, V> emitter) throws Exception;

  /**
   * The line as a typed record: calls {@link #map(long, String, Emitter)}. The engine calls that
   * one directly; this one serves code that holds the mapper as a {@link PairMapper}.
   */
  @Override
  public final void map(Long offset, String line, Emitter<K, V> emitter) throws Exception {
    map(offset.longValue(), line, emitter);
  }
}
