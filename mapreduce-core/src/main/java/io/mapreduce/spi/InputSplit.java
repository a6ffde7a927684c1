package io.mapreduce.spi;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;

import io.mapreduce.internal.io.Compression;
import java.util.ArrayList;
import java.util.List;

/**
 * The input of one map task: byte ranges of one or more files, read in order. Most splits are one
 * range of one file; a format that packs small files together makes splits of several.
 *
 * @param index the map task's number, from 0
 * @param ranges what the task reads, at least one range
 */
public record InputSplit(int index, List<FileRange> ranges) {
  public InputSplit {
    checkArgument(index >= 0, "index must not be negative: %s", index);
    ranges = List.copyOf(ranges);
    checkArgument(!ranges.isEmpty(), "a split needs at least one range");
  }

  /** A split of one range. */
  public InputSplit(int index, InputFile file, long start, long length) {
    this(index, List.of(new FileRange(file, start, length)));
  }

  /** The first file of the split (the only one, but for packed splits). */
  public InputFile file() {
    return ranges.get(0).file();
  }

  /** Where the first range starts. */
  public long start() {
    return ranges.get(0).start();
  }

  /** Where the first range ends. */
  public long end() {
    return ranges.get(0).end();
  }

  /** The bytes of all ranges together. */
  public long length() {
    long n = 0;
    for (FileRange r : ranges) {
      n += r.length();
    }
    return n;
  }

  /** The same ranges as another map task. */
  public InputSplit withIndex(int newIndex) {
    return new InputSplit(newIndex, ranges);
  }

  /**
   * Cuts files into ranges of at most {@code splitSize} bytes, each its own split; a file no larger
   * than that (an empty one included), and a compressed file of any size, is one split.
   */
  public static List<InputSplit> of(List<InputFile> files, long splitSize) {
    return cut(files, splitSize, true);
  }

  /**
   * Cuts files into ranges of at most {@code splitSize} bytes whatever their names, for a format
   * whose files split anywhere (at its own markers), compressed-looking names included.
   */
  public static List<InputSplit> byteRanges(List<InputFile> files, long splitSize) {
    return cut(files, splitSize, false);
  }

  private static List<InputSplit> cut(List<InputFile> files, long splitSize, boolean byExtension) {
    checkArgument(splitSize > 0, "splitSize must be positive but was %s", splitSize);
    List<InputSplit> splits = new ArrayList<>();
    for (InputFile f : files) {
      if (byExtension && !Compression.of(f.path()).splittable()) {
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
    if (ranges.size() == 1) {
      return ranges.get(0).toString();
    }
    return ranges.get(0) + " and " + (ranges.size() - 1) + " more";
  }
}
