package io.mapreduce.format;

import io.mapreduce.internal.io.LineReader;
import io.mapreduce.internal.io.LineRecords;
import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.util.List;

/**
 * The lines of a split's ranges, one range after the other, as {@code (offset, line)}. Record ids
 * are offsets, with the range's number in the high bits when a split has several (offsets below
 * 2^40, a terabyte, stay distinct).
 */
final class LineRecordReader implements RecordReader<Long, String>, LineRecords {
  private final Storage storage;
  private final List<FileRange> ranges;
  private int range = -1;
  private LineReader reader;
  /** The bytes of the ranges already read to their end. */
  private long finished;

  LineRecordReader(Storage storage, InputSplit split) {
    this.storage = storage;
    this.ranges = split.ranges();
  }

  @Override
  public boolean next() throws IOException {
    while (true) {
      if (reader != null && reader.next()) {
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
      reader = LineReader.open(storage, ranges.get(range));
    }
  }

  @Override
  public Long key() {
    return reader.offset();
  }

  @Override
  public String value() {
    return reader.line();
  }

  @Override
  public String file() {
    return ranges.get(range).file().path();
  }

  @Override
  public long offset() {
    return reader.offset();
  }

  @Override
  public long recordId() {
    return ((long) range << 40) | reader.offset();
  }

  @Override
  public long recordBytes() {
    return reader.bytes();
  }

  @Override
  public long consumed() {
    return finished + (reader == null ? 0 : Math.min(reader.consumed(), ranges.get(range).length()));
  }

  @Override
  public long lineOffset() {
    return reader.offset();
  }

  @Override
  public String line() {
    return reader.line();
  }

  @Override
  public byte[] lineArray() {
    return reader.lineArray();
  }

  @Override
  public int lineStart() {
    return reader.lineStart();
  }

  @Override
  public int lineLength() {
    return reader.lineLength();
  }

  @Override
  public long lineBytes() {
    return reader.bytes();
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
