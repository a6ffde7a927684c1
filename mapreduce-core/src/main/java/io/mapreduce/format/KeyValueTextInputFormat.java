package io.mapreduce.format;

import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;

/** Lines split at the first separator into {@code (key, value)}; no separator: the line is the key. */
final class KeyValueTextInputFormat extends InputFormat<String, String> {
  private final String separator;

  KeyValueTextInputFormat(String separator) {
    super(String.class, String.class);
    this.separator = separator;
  }

  @Override
  public RecordReader<String, String> open(Storage storage, InputSplit split) {
    LineRecordReader lines = new LineRecordReader(storage, split);
    return new RecordReader<>() {
      private int cut = -2;

      @Override
      public boolean next() throws IOException {
        cut = -2;
        return lines.next();
      }

      private int cut() {
        if (cut == -2) {
          cut = lines.line().indexOf(separator);
        }
        return cut;
      }

      @Override
      public String key() {
        int c = cut();
        return c < 0 ? lines.line() : lines.line().substring(0, c);
      }

      @Override
      public String value() {
        int c = cut();
        return c < 0 ? "" : lines.line().substring(c + separator.length());
      }

      @Override
      public String file() {
        return lines.file();
      }

      @Override
      public long offset() {
        return lines.offset();
      }

      @Override
      public long recordId() {
        return lines.recordId();
      }

      @Override
      public long recordBytes() {
        return lines.recordBytes();
      }

      @Override
      public long consumed() {
        return lines.consumed();
      }

      @Override
      public void close() throws IOException {
        lines.close();
      }
    };
  }

  @Override
  public String toString() {
    return separator.equals("\t") ? "keyValueText" : "keyValueText(" + separator + ")";
  }
}
