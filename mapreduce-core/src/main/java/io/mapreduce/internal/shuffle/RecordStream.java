package io.mapreduce.internal.shuffle;

import java.io.IOException;

/**
 * A sorted stream of encoded records. The current record's bytes are valid until the next call
 * to {@link #next()}.
 */
public interface RecordStream extends AutoCloseable {

  /** Advances to the next record; false at the end. */
  boolean next() throws IOException;

  byte[] keyArray();

  int keyOffset();

  int keyLength();

  byte[] valueArray();

  int valueOffset();

  int valueLength();

  @Override
  void close() throws IOException;
}
