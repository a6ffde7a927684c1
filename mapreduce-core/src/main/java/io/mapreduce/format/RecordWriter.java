package io.mapreduce.format;

import java.io.IOException;

/** Writes one output file's pairs, for an {@link OutputFormat}. Confined to the task's thread. */
public interface RecordWriter<K, V> extends AutoCloseable {

  /** Writes one pair. */
  void write(K key, V value) throws IOException;

  /**
   * Writes out everything buffered and ends the format's framing (a compressed stream's trailer),
   * leaving the stream the writer was opened on open: committing the task's file closes it.
   */
  void finish() throws IOException;

  /**
   * Releases what the writer holds beyond the stream (a compressor's native memory), after
   * {@link #finish()} or instead of it when the task fails; never throws. The engine calls it
   * either way.
   */
  @Override
  default void close() {}
}
