package io.mapreduce.internal.io;

import static com.google.common.base.Preconditions.checkArgument;

import io.mapreduce.spi.InputFile;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte range of one input file: the work of one map task. A line belongs to the split in which
 * it starts, so consecutive splits cover every line exactly once.
 */
public record InputSplit(int index, InputFile file, long start, long length) {

  public long end() {
    return start + length;
  }

  /**
   * Cuts files into splits of at most {@code splitSize} bytes; a file no larger than that (an
   * empty one included), and a compressed file of any size ({@link Compression}), is one split.
   */
  public static List<InputSplit> of(List<InputFile> files, long splitSize) {
    checkArgument(splitSize > 0, "splitSize must be positive but was %s", splitSize);
    List<InputSplit> splits = new ArrayList<>();
    for (InputFile f : files) {
      if (!Compression.of(f.path()).splittable()) {
        splits.add(new InputSplit(splits.size(), f, 0, f.length()));
        continue;
      }
      long start = 0;
      do {
        long len = Math.min(splitSize, f.length() - start);
        splits.add(new InputSplit(splits.size(), f, start, len));
        start += len;
      } while (start < f.length());
    }
    return splits;
  }

  @Override
  public String toString() {
    return file.path() + ":" + start + "+" + length;
  }
}
