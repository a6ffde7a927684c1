package io.mapreduce.lib;

import static com.google.common.base.Preconditions.checkArgument;

import io.mapreduce.MapReduceException;
import io.mapreduce.Partitioner;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.internal.io.LineReader;
import io.mapreduce.internal.io.Storages;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Partitions string keys by ranges, so that partition i holds only keys below those of partition
 * i + 1: concatenating the sorted output files in order gives one sorted whole, as Hadoop's
 * TeraSort does. The ranges come from split points sampled from the input.
 *
 * <p>Keys compare in UTF-8 byte order (code point order), the order in which the engine sorts
 * string keys, not in {@link String#compareTo}'s UTF-16 order.
 */
public final class TotalOrderPartitioner implements Partitioner<String> {
  /** At most this many splits are sampled, evenly spread over the input. */
  private static final int MAX_SPLITS_SAMPLED = 100;

  private final String[] splitPoints;

  /** A partitioner with the given split points: R - 1 of them, in UTF-8 order. */
  public TotalOrderPartitioner(List<String> splitPoints) {
    this.splitPoints = splitPoints.toArray(String[]::new);
    for (int i = 1; i < this.splitPoints.length; i++) {
      checkArgument(compareUtf8(this.splitPoints[i - 1], this.splitPoints[i]) <= 0,
          "split points out of order at %s", i);
    }
  }

  /**
   * Samples up to {@code maxSamples} lines from the inputs (the first lines of up to 100 splits
   * spread evenly over the input) and picks {@code reduceTasks - 1} split points from them.
   *
   * @throws MapReduceException naming the input when an input cannot be listed or read
   */
  public static TotalOrderPartitioner sampleLines(List<String> inputs, int reduceTasks, long splitSize,
      int maxSamples) {
    checkArgument(reduceTasks > 0, "reduceTasks must be positive but was %s", reduceTasks);
    checkArgument(maxSamples > 0, "maxSamples must be positive but was %s", maxSamples);
    checkArgument(splitSize > 0, "splitSize must be positive but was %s", splitSize);
    if (reduceTasks == 1) {
      return new TotalOrderPartitioner(List.of());
    }
    List<String> samples = new ArrayList<>();
    for (String input : inputs) {
      Storage storage = Storages.forPath(input);
      try {
        List<InputFile> files = storage.listInputs(input);
        List<InputSplit> splits = InputSplit.of(files, splitSize);
        int sampled = Math.min(splits.size(), MAX_SPLITS_SAMPLED);
        int perSplit = Math.max(1, maxSamples / Math.max(1, sampled * inputs.size()));
        for (int i = 0; i < sampled; i++) {
          InputSplit split = splits.get((int) ((long) i * splits.size() / sampled));
          try (LineReader reader = LineReader.open(storage, split)) {
            for (int n = 0; n < perSplit && reader.next(); n++) {
              samples.add(reader.line());
            }
          }
        }
      } catch (IOException | UncheckedIOException e) {
        throw new MapReduceException("cannot sample input " + input + ": " + e.getMessage(), e);
      }
    }
    String[] sorted = samples.toArray(String[]::new);
    Arrays.sort(sorted, TotalOrderPartitioner::compareUtf8);
    List<String> points = new ArrayList<>();
    for (int i = 1; i < reduceTasks; i++) {
      points.add(sorted.length == 0 ? "" : sorted[(int) ((long) i * sorted.length / reduceTasks)]);
    }
    return new TotalOrderPartitioner(points);
  }

  /** The split points, in order. */
  public List<String> splitPoints() {
    return List.of(splitPoints);
  }

  @Override
  public int partition(String key, int numPartitions) {
    Objects.requireNonNull(key, "key");
    checkArgument(numPartitions == splitPoints.length + 1,
        "sampled for %s partitions, asked for %s", splitPoints.length + 1, numPartitions);
    // The number of split points <= key: keys equal to a split point go to the upper range.
    int lo = 0;
    int hi = splitPoints.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareUtf8(splitPoints[mid], key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Compares strings as their UTF-8 encodings compare, without encoding them: UTF-16 order differs
   * from code point order only where a surrogate meets a char at or above U+E000.
   */
  public static int compareUtf8(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x >= 0xD800 && y >= 0xD800) {
          return Integer.compare(fixup(x), fixup(y));
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int fixup(char c) {
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }
}
