package io.mapreduce.format;

import io.mapreduce.internal.io.Compression;
import io.mapreduce.internal.io.LineReader;
import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Lines of text, split at byte offsets, every N lines, or with small files packed together. */
final class TextInputFormat extends InputFormat<Long, String> {
  enum Splitting { BYTES, LINES, PACKED }

  private final Splitting splitting;
  private final int linesPerSplit;

  TextInputFormat(Splitting splitting, int linesPerSplit) {
    super(Long.class, String.class);
    this.splitting = splitting;
    this.linesPerSplit = linesPerSplit;
  }

  @Override
  public List<InputSplit> split(Storage storage, List<InputFile> files, long splitSize) throws IOException {
    return switch (splitting) {
      case BYTES -> InputSplit.of(files, splitSize);
      case LINES -> everyNLines(storage, files);
      case PACKED -> packed(files, splitSize);
    };
  }

  /** Reads each file once to find where every n-th line starts. */
  private List<InputSplit> everyNLines(Storage storage, List<InputFile> files) throws IOException {
    List<InputSplit> splits = new ArrayList<>();
    for (InputFile f : files) {
      if (!Compression.of(f.path()).splittable()) {
        splits.add(new InputSplit(splits.size(), f, 0, f.length()));
        continue;
      }
      long start = 0;
      int lines = 0;
      try (LineReader reader = LineReader.open(storage, FileRange.of(f))) {
        while (reader.next()) {
          if (lines == linesPerSplit) {
            splits.add(new InputSplit(splits.size(), f, start, reader.offset() - start));
            start = reader.offset();
            lines = 0;
          }
          lines++;
        }
      }
      if (lines > 0) {
        splits.add(new InputSplit(splits.size(), f, start, f.length() - start));
      }
    }
    return splits;
  }

  /**
   * Packs files in listed order into splits of at most {@code splitSize} bytes; a file larger than
   * that is cut into splits of its own, as {@link InputSplit#of} cuts it.
   */
  private static List<InputSplit> packed(List<InputFile> files, long splitSize) {
    List<InputSplit> splits = new ArrayList<>();
    List<FileRange> pack = new ArrayList<>();
    long packBytes = 0;
    for (InputFile f : files) {
      if (f.length() > splitSize) {
        for (InputSplit s : InputSplit.of(List.of(f), splitSize)) {
          splits.add(s.withIndex(splits.size()));
        }
        continue;
      }
      if (!pack.isEmpty() && packBytes + f.length() > splitSize) {
        splits.add(new InputSplit(splits.size(), pack));
        pack = new ArrayList<>();
        packBytes = 0;
      }
      pack.add(FileRange.of(f));
      packBytes += f.length();
    }
    if (!pack.isEmpty()) {
      splits.add(new InputSplit(splits.size(), pack));
    }
    return splits;
  }

  @Override
  public RecordReader<Long, String> open(Storage storage, InputSplit split) {
    return new LineRecordReader(storage, split);
  }

  @Override
  public String toString() {
    return switch (splitting) {
      case BYTES -> "text";
      case LINES -> "nLines(" + linesPerSplit + ")";
      case PACKED -> "combinedText";
    };
  }
}
