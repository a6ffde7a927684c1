package io.mapreduce.format;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads the records of one split, for an {@link InputFormat}. Confined to the map task's thread.
 * Records are read one at a time and their objects made only when asked for ({@link #key()},
 * {@link #value()}), so a reader can keep its records as bytes until a mapper wants them.
 */
public interface RecordReader<K, V> extends Closeable {

  /** Advances to the next record; false at the end of the split. */
  boolean next() throws IOException;

  /**
   * The current record's key. A reader may decode it again at each call, so a caller that needs it
   * twice keeps it.
   */
  K key() throws IOException;

  /** The current record's value; like {@link #key()}, possibly decoded again at each call. */
  V value() throws IOException;

  /** The file the current record comes from, as the storage listed it. */
  String file();

  /** Where the current record starts in {@link #file()}: a byte offset for the built-in formats. */
  long offset();

  /**
   * The current record's id within the split, the same in every attempt of the task: a task that
   * failed on a record skips it by this id in skipping mode. By default its offset, which a reader
   * of several files must make unique.
   */
  default long recordId() {
    return offset();
  }

  /** The bytes the current record took in its file, for the {@code map.input.bytes} counter. */
  long recordBytes();

  /**
   * How many bytes of the split have been read so far, for the job's progress: the same unit as
   * the split's length (compressed bytes for a compressed file).
   */
  long consumed();
}
