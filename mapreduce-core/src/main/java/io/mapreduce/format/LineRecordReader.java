package io.mapreduce.format;

import io.mapreduce.internal.io.LineReader;
import io.mapreduce.internal.io.LineRecords;
import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;

/**
 * The lines of a split's ranges, one range after the other, as {@code (offset, line)}; record ids
 * are offsets within a range.
 */
final class LineRecordReader extends RangesReader<LineReader, Long, String> implements LineRecords {

  LineRecordReader(Storage storage, InputSplit split) {
    super(storage, split);
  }

  @Override
  LineReader open(FileRange range) throws IOException {
    return LineReader.open(storage, range);
  }

  @Override
  boolean advance(LineReader lines) throws IOException {
    return lines.next();
  }

  @Override
  long idInRange(LineReader lines) {
    return lines.offset();
  }

  @Override
  long consumedInRange(LineReader lines, FileRange range) {
    return lines.consumed();
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
  public long offset() {
    return reader.offset();
  }

  @Override
  public long recordBytes() {
    return reader.bytes();
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
}
