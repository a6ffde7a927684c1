package io.mapreduce.format;

import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A split's records read range after range, each range with a reader of its own: what the
 * formats whose splits may hold several files share. Record ids are a range's own ids with the
 * range's number in the high bits (ids below 2^40, a terabyte of offsets, stay distinct).
 *
 * @param <R> the reader of one range
 */
abstract class RangesReader<R extends Closeable, K, V> implements RecordReader<K, V> {
  final Storage storage;
  private final List<FileRange> ranges;
  private int range = -1;
  /** The current range's reader; null before the first and after the last. */
  R reader;
  /** The bytes of the ranges already read to their end. */
  private long finished;

  RangesReader(Storage storage, InputSplit split) {
    this.storage = storage;
    this.ranges = split.ranges();
  }

  /** Opens a range's reader. */
  abstract R open(FileRange range) throws IOException;

  /** Advances within the current range; false at its end. */
  abstract boolean advance(R reader) throws IOException;

  /** The current record's id within its range, unique there. */
  abstract long idInRange(R reader);

  /** How far into its range the reader is, in the range's bytes (may run past its end). */
  abstract long consumedInRange(R reader, FileRange range);

  @Override
  public final boolean next() throws IOException {
    while (true) {
      if (reader != null && advance(reader)) {
        return true;
      }
      if (reader != null) {
        reader.close();
        reader = null;
        finished += ranges.get(range).length();
      }
      if (range + 1 == ranges.size()) {
        return false;
      }
      range++;
      reader = open(ranges.get(range));
    }
  }

  @Override
  public final String file() {
    return ranges.get(range).file().path();
  }

  @Override
  public final long recordId() {
    return ((long) range << 40) | idInRange(reader);
  }

  @Override
  public final long consumed() {
    if (reader == null) {
      return finished;
    }
    FileRange r = ranges.get(range);
    return finished + Math.max(0, Math.min(r.length(), consumedInRange(reader, r)));
  }

  @Override
  public final void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
