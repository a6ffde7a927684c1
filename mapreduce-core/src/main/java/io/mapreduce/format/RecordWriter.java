package io.mapreduce.format;

import java.io.IOException;

/** Writes one output file's pairs, for an {@link OutputFormat}. Confined to the task's thread. */
public interface RecordWriter<K, V> {

  /** Writes one pair. */
  void write(K key, V value) throws IOException;

  /**
   * Writes out everything buffered and ends the format's framing (a compressed stream's trailer),
   * leaving the stream the writer was opened on open: committing the task's file closes it.
   */
  void finish() throws IOException;
}
