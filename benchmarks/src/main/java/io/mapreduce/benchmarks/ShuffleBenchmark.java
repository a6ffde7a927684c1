package io.mapreduce.benchmarks;

import io.mapreduce.thirdparty.com.google.common.hash.HashFunction;
import io.mapreduce.thirdparty.com.google.common.hash.Hashing;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.ByteSource;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SegmentReader;
import io.mapreduce.internal.shuffle.SortBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the shuffle's byte layer, the path every intermediate record takes in a job:
 * encode the key ({@code String}, UTF-8) and value ({@code Long}), hash-partition the key bytes,
 * add the record to a {@link SortBuffer}, sort it, write it to a run file with {@link RunWriter},
 * then k-way merge the runs partition by partition ({@link SegmentReader} + {@link MergingStream})
 * and walk the merged stream key group by key group, as a reduce task does.
 *
 * <ul>
 *   <li>{@code shuffle}: per operation, {@code runs} rounds of encode, buffer, sort and spill of
 *       {@code recordsPerRun} records each, then the merge of those runs.
 *   <li>{@code merge}: the merge alone, over runs written once per trial.
 * </ul>
 *
 * <p>Keys are word-count-like: Zipf-distributed ({@code s = 1}) over a synthesized vocabulary of
 * {@code distinctKeys} words, some with accented and supplementary-plane letters; every value is
 * {@code 1L}. There is no combiner here (the word count example has one; it shrinks each run to
 * its distinct keys), so this measures the raw byte path. Run files live in a temporary directory
 * and, at these sizes, in the page cache. Besides operations per second, JMH reports the
 * auxiliary counters {@code records} (records/s through the whole path) and {@code bytes} (encoded
 * key and value bytes/s, without the run files' length headers).
 *
 * <p>Run (after {@code mvn -B -o package -DskipTests}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ShuffleBenchmark -f 1 -wi 2 -i 3
 * java -jar benchmarks/target/benchmarks.jar ShuffleBenchmark.shuffle -p partitions=8 -p runs=4
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ShuffleBenchmark {
  private static final HashFunction PARTITION_HASH = Hashing.murmur3_32_fixed();
  private static final Long ONE = 1L;

  @Param({"100000", "1000000"})
  int recordsPerRun;

  @Param({"1000", "100000"})
  int distinctKeys;

  @Param({"2", "8"})
  int runs;

  /** Reduce partitions of every run; the command line's default is 1. */
  @Param({"1"})
  int partitions;

  private String[] keys;
  private Codec<String> keyCodec;
  private Codec<Long> valueCodec;
  private final ByteSink key = new ByteSink(64);
  private final ByteSink value = new ByteSink(16);
  /** Values are decoded by their codec: a Long value is a varint, not the key encoding's eight bytes. */
  private final ByteSource source = new ByteSource();
  private SortBuffer buffer;
  private Path directory;
  private Path[] shuffleRuns;
  private Path[] mergeRuns;
  private long bytesPerOperation;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    keyCodec = Codecs.forKey(String.class);
    valueCodec = Codecs.forValue(Long.class);
    List<String> vocabulary = Vocabulary.synthesize(distinctKeys, 7, Vocabulary.Alphabet.MIXED);
    Zipf zipf = new Zipf(vocabulary.size(), 1.0);
    SplitMix64 random = new SplitMix64(11);
    keys = new String[Math.multiplyExact(recordsPerRun, runs)];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = vocabulary.get(zipf.sample(random));
    }
    // Large enough never to spill in the middle of a run: a run is one spill, by construction.
    buffer = new SortBuffer(1L << 30);
    directory = Files.createTempDirectory("shuffle-benchmark");
    shuffleRuns = new Path[runs];
    mergeRuns = new Path[runs];
    for (int r = 0; r < runs; r++) {
      shuffleRuns[r] = directory.resolve("shuffle-" + r);
      mergeRuns[r] = directory.resolve("merge-" + r);
      bytesPerOperation += spill(r, mergeRuns[r]);
    }
    long[] check = mergeAll(mergeRuns);
    if (check[0] != keys.length || check[1] != keys.length) {
      throw new IllegalStateException("merged " + check[0] + " records summing to " + check[1] + ", expected "
          + keys.length);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    LocalStorage.deleteRecursively(directory);
  }

  /** Encode, partition, buffer, sort and spill every run, then merge them: returns the key groups. */
  @Benchmark
  public long shuffle(RecordsAndBytes processed) throws IOException {
    for (int r = 0; r < runs; r++) {
      spill(r, shuffleRuns[r]);
    }
    long[] merged = mergeAll(shuffleRuns);
    processed.records += merged[0];
    processed.bytes += bytesPerOperation;
    return merged[2];
  }

  /** Merges runs written once per trial: returns the key groups. */
  @Benchmark
  public long merge(RecordsAndBytes processed) throws IOException {
    long[] merged = mergeAll(mergeRuns);
    processed.records += merged[0];
    processed.bytes += bytesPerOperation;
    return merged[2];
  }

  /** What a map task's collector does for one spill; returns the encoded bytes buffered. */
  private long spill(int run, Path file) throws IOException {
    buffer.clear();
    int from = run * recordsPerRun;
    for (int i = from; i < from + recordsPerRun; i++) {
      key.clear();
      keyCodec.write(keys[i], key, false);
      value.clear();
      valueCodec.write(ONE, value, false);
      int p = Math.floorMod(PARTITION_HASH.hashBytes(key.array(), 0, key.length()).asInt(), partitions);
      if (!buffer.add(p, key.array(), 0, key.length(), value.array(), 0, value.length())) {
        throw new IllegalStateException("sort buffer full after " + buffer.count() + " records");
      }
    }
    long bytes = buffer.dataBytes();
    buffer.sort();
    ShuffleSteps.writeRun(buffer, file, partitions);
    return bytes;
  }

  /**
   * Merges partition after partition of the runs, as the reduce tasks would one after another,
   * finding key groups as {@code Groups} does. Returns {records, sum of values, groups}.
   */
  private long[] mergeAll(Path[] files) throws IOException {
    RunIndex[] indexes = new RunIndex[files.length];
    for (int r = 0; r < files.length; r++) {
      indexes[r] = RunIndex.read(RunWriter.indexOf(files[r]));
    }
    long records = 0;
    long sum = 0;
    long groups = 0;
    byte[] previous = new byte[64];
    int previousLength = -1;
    for (int p = 0; p < partitions; p++) {
      try (MergingStream merged = ShuffleSteps.merge(files, indexes, p)) {
        while (merged.next()) {
          records++;
          sum += valueCodec.read(source.reset(merged.valueArray(), merged.valueOffset(), merged.valueLength()), false);
          int kl = merged.keyLength();
          byte[] k = merged.keyArray();
          int ko = merged.keyOffset();
          if (previousLength < 0 || !Arrays.equals(previous, 0, previousLength, k, ko, ko + kl)) {
            groups++;
            if (previous.length < kl) {
              previous = new byte[Math.max(kl, 2 * previous.length)];
            }
            System.arraycopy(k, ko, previous, 0, kl);
            previousLength = kl;
          }
        }
      }
      previousLength = -1;
    }
    return new long[] {records, sum, groups};
  }
}
