package io.mapreduce.lib;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;

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
 * Partitions keys by ranges, so that partition i holds only keys that sort before those of
 * partition i + 1: concatenating the sorted output files in order gives one sorted whole, as
 * Hadoop's TeraSort does. The ranges come from split points, given or sampled.
 *
 * <p>Keys compare in the engine's order: the order of their encoded bytes (strings in UTF-8 byte
 * order, numbers numerically, records component by component, {@link io.mapreduce.Descending}
 * components reversed), reversed as a whole for a job that {@code sortDescending()} when the
 * partitioner is made {@code descending} too. Any key type with an ordered encoding works.
 *
 * @param <K> the key type
 */
public final class TotalOrderPartitioner<K> implements Partitioner<K> {
  /** At most this many splits are sampled, evenly spread over the input. */
  private static final int MAX_SPLITS_SAMPLED = 100;

  /** Ascending strings: compared as strings, without encoding them (the sort example's case). */
  private final String[] splitPoints;
  /** Any other key type or order: the split points' encodings, compared with the key's. */
  private final byte[][] encodedPoints;
  private final Class<K> keyType;
  private final boolean descending;
  /**
   * Made on first use (a Kryo copy of the partitioner has none); the embedded engine's map tasks
   * share one partitioner, so each thread encodes into its own sink.
   */
  private transient volatile io.mapreduce.internal.codec.Codec<K> codec;
  private transient volatile ThreadLocal<io.mapreduce.internal.codec.ByteSink> scratch;

  /** A partitioner of string keys with the given split points: R - 1 of them, in UTF-8 order. */
  @SuppressWarnings("unchecked")
  public TotalOrderPartitioner(List<String> splitPoints) {
    this.splitPoints = splitPoints.toArray(String[]::new);
    this.encodedPoints = null;
    this.keyType = (Class<K>) String.class;
    this.descending = false;
    for (int i = 1; i < this.splitPoints.length; i++) {
      checkArgument(compareUtf8(this.splitPoints[i - 1], this.splitPoints[i]) <= 0,
          "split points out of order at %s", i);
    }
  }

  private TotalOrderPartitioner(Class<K> keyType, boolean descending, byte[][] encodedPoints) {
    this.splitPoints = null;
    this.encodedPoints = encodedPoints;
    this.keyType = keyType;
    this.descending = descending;
  }

  /**
   * A partitioner of {@code keyType} keys with {@code reduceTasks - 1} split points picked evenly
   * from {@code samples} in the engine's order (decreasing when {@code descending}, for a job that
   * sorts descending): each partition then gets about as many keys as the samples suggest.
   *
   * @throws IllegalArgumentException when the key type has no ordered encoding
   */
  public static <K> TotalOrderPartitioner<K> fromSamples(Class<K> keyType, java.util.Collection<? extends K> samples,
      int reduceTasks, boolean descending) {
    checkArgument(reduceTasks > 0, "reduceTasks must be positive but was %s", reduceTasks);
    io.mapreduce.internal.codec.Codec<K> codec = codecOf(keyType, descending);
    List<byte[]> encoded = new ArrayList<>();
    for (K k : samples) {
      encoded.add(encode(codec, k, new io.mapreduce.internal.codec.ByteSink(32)));
    }
    encoded.sort(Arrays::compareUnsigned);
    byte[][] points = new byte[reduceTasks - 1][];
    for (int i = 1; i < reduceTasks; i++) {
      // No samples: every key is at or above the empty encoding, so all go to the last partition.
      points[i - 1] = encoded.isEmpty() ? new byte[0]
          : encoded.get((int) ((long) i * encoded.size() / reduceTasks));
    }
    return new TotalOrderPartitioner<>(keyType, descending, points);
  }

  private static <K> io.mapreduce.internal.codec.Codec<K> codecOf(Class<K> keyType, boolean descending) {
    io.mapreduce.internal.codec.Codec<K> c = io.mapreduce.internal.codec.Codecs.forKey(keyType);
    return descending ? io.mapreduce.internal.codec.Codecs.descending(c) : c;
  }

  private static <K> byte[] encode(io.mapreduce.internal.codec.Codec<K> codec, K key,
      io.mapreduce.internal.codec.ByteSink sink) {
    sink.clear();
    codec.write(key, sink, false);
    return Arrays.copyOf(sink.array(), sink.length());
  }

  /**
   * Samples up to {@code maxSamples} lines from the inputs (the first lines of up to 100 splits
   * spread evenly over the input) and picks {@code reduceTasks - 1} split points from them.
   *
   * @throws MapReduceException naming the input when an input cannot be listed or read
   */
  public static TotalOrderPartitioner<String> sampleLines(List<String> inputs, int reduceTasks, long splitSize,
      int maxSamples) {
    checkArgument(reduceTasks > 0, "reduceTasks must be positive but was %s", reduceTasks);
    checkArgument(maxSamples > 0, "maxSamples must be positive but was %s", maxSamples);
    checkArgument(splitSize > 0, "splitSize must be positive but was %s", splitSize);
    if (reduceTasks == 1) {
      return new TotalOrderPartitioner<>(List.of());
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
    return new TotalOrderPartitioner<>(points);
  }

  /** The split points of a partitioner of ascending strings, in order. */
  public List<String> splitPoints() {
    checkArgument(splitPoints != null, "split points of %s keys are held encoded", keyType.getName());
    return List.of(splitPoints);
  }

  @Override
  public int partition(K key, int numPartitions) {
    Objects.requireNonNull(key, "key");
    if (encodedPoints != null) {
      return partitionEncoded(key, numPartitions);
    }
    checkArgument(numPartitions == splitPoints.length + 1,
        "sampled for %s partitions, asked for %s", splitPoints.length + 1, numPartitions);
    String s = (String) key;
    // The number of split points <= key: keys equal to a split point go to the upper range.
    int lo = 0;
    int hi = splitPoints.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareUtf8(splitPoints[mid], s) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private int partitionEncoded(K key, int numPartitions) {
    checkArgument(numPartitions == encodedPoints.length + 1,
        "sampled for %s partitions, asked for %s", encodedPoints.length + 1, numPartitions);
    io.mapreduce.internal.codec.Codec<K> c = codec;
    ThreadLocal<io.mapreduce.internal.codec.ByteSink> sinks = scratch;
    if (c == null || sinks == null) {
      // Racing threads may each make these; any of them serves.
      c = codecOf(keyType, descending);
      sinks = ThreadLocal.withInitial(() -> new io.mapreduce.internal.codec.ByteSink(32));
      codec = c;
      scratch = sinks;
    }
    io.mapreduce.internal.codec.ByteSink sink = sinks.get();
    sink.clear();
    c.write(key, sink, false);
    int lo = 0;
    int hi = encodedPoints.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Arrays.compareUnsigned(encodedPoints[mid], 0, encodedPoints[mid].length, sink.array(), 0,
          sink.length()) <= 0) {
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
