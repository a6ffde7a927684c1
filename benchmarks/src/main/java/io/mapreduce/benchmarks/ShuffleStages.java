package io.mapreduce.benchmarks;

import io.mapreduce.thirdparty.com.google.common.hash.HashFunction;
import io.mapreduce.thirdparty.com.google.common.hash.Hashing;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SegmentReader;
import io.mapreduce.internal.shuffle.SortBuffer;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.worker.Fetcher;
import io.mapreduce.netty.worker.ShuffleServer;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Throughput of each stage of the shuffle, one benchmark per stage, each reporting records/s and
 * bytes/s (JMH auxiliary counters {@code records} and {@code bytes}; bytes are the records' encoded
 * key and value bytes, without the run files' two varint headers per record):
 *
 * <ul>
 *   <li>{@code collect}: what the map task's collector does per record without a combiner: encode
 *       key and value with the job's codecs, hash the key bytes (Murmur3-32, as
 *       {@code JobPlan.keyHash}) modulo {@code partitions}, add the record to a {@link SortBuffer}
 *       of {@code bufferMiB}; one operation fills an empty buffer until it refuses a record.
 *   <li>{@code sort}: {@link SortBuffer#sort()} of such a full buffer (the sort starts from the
 *       records' emit order every time, so every operation does the same work).
 *   <li>{@code spill}: write the sorted buffer, partition by partition, as a run file with
 *       {@link RunWriter} (uncompressed, the default), into a temporary directory, closed.
 *   <li>{@code merge}: k-way merge of {@code runs} such run files, partition by partition, with
 *       {@link SegmentReader} (64 KiB buffers, as the reduce task) and {@link MergingStream},
 *       reading every record's bytes.
 *   <li>{@code fetch}: the cluster runtime's fetch of those runs over loopback, in-process: a
 *       {@link ShuffleServer} on 127.0.0.1 serves every partition of every run, a {@link Fetcher}
 *       fetches each into a file (then deleted), one at a time, as a reduce task fetches its
 *       segments from each map.
 * </ul>
 *
 * <p>Two shapes of records ({@code shape}): {@code words}, word-count-like ({@code String} keys,
 * Zipf-distributed over a synthesized vocabulary of 100,000 words, and {@code Long} values of 1,
 * with no combiner); {@code lines}, sort-like ({@code String} keys of 99-character ASCII lines laid
 * out like gensort's, a 10-character random key first, and {@code Void} values). Buffers are filled
 * from distinct slices of the same generated records, so the merged runs hold different records.
 *
 * <p>Run (after {@code mvn -B -o package -DskipTests}; about 2 minutes with the defaults):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ShuffleStages
 * java -jar benchmarks/target/benchmarks.jar ShuffleStages.merge -p shape=lines -p runs=8 -p bufferMiB=128
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ShuffleStages {
  private static final HashFunction PARTITION_HASH = Hashing.murmur3_32_fixed();
  private static final int VOCABULARY = 100_000;
  private static final int LINE_CHARS = 99;
  private static final int FETCH_TIMEOUT_SECONDS = 60;

  /** The records, their codecs, and the partitioning: what every stage starts from. */
  @State(Scope.Benchmark)
  public static class Input {
    @Param({"words", "lines"})
    String shape;

    /** Budget of one sort buffer (the engine's default is a quarter of the heap over the tasks, at most 256 MiB). */
    @Param({"32"})
    int bufferMiB;

    /** Reduce partitions. */
    @Param({"8"})
    int partitions;

    /** Runs merged by {@code merge} and fetched by {@code fetch}, each one full buffer. */
    @Param({"4"})
    int runs;

    Codec<Object> keyCodec;
    Codec<Object> valueCodec;
    Object value;
    String[] keys;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void generate() {
      SplitMix64 random = new SplitMix64(17);
      long budget = budget();
      switch (shape) {
        case "words" -> {
          keyCodec = (Codec<Object>) (Codec<?>) Codecs.forKey(String.class);
          valueCodec = (Codec<Object>) (Codec<?>) Codecs.forValue(Long.class);
          value = 1L;
          List<String> vocabulary = Vocabulary.synthesize(VOCABULARY, 7, Vocabulary.Alphabet.MIXED);
          Zipf zipf = new Zipf(vocabulary.size(), 1.0);
          // A record takes at least 36 bytes of buffer metadata, 2 of key and 1 of value.
          keys = new String[Math.toIntExact(runs * budget / 39 + 1)];
          for (int i = 0; i < keys.length; i++) {
            keys[i] = vocabulary.get(zipf.sample(random));
          }
        }
        case "lines" -> {
          keyCodec = (Codec<Object>) (Codec<?>) Codecs.forKey(String.class);
          valueCodec = (Codec<Object>) (Codec<?>) Codecs.forValue(Void.class);
          value = null;
          keys = new String[Math.toIntExact(runs * budget / (36 + LINE_CHARS) + 1)];
          for (int i = 0; i < keys.length; i++) {
            keys[i] = line(i, random);
          }
        }
        default -> throw new IllegalArgumentException("shape must be words or lines, not " + shape);
      }
    }

    long budget() {
      return (long) bufferMiB << 20;
    }

    /** gensort's ASCII layout: 10 random printable characters, the row number in hex, filler. */
    private static String line(long row, SplitMix64 random) {
      StringBuilder b = new StringBuilder(LINE_CHARS);
      long r = random.nextLong();
      for (int c = 0; c < 10; c++) {
        b.append((char) (' ' + (int) Math.floorMod(r, 95L)));
        r /= 95;
        if (c == 4) {
          r = random.nextLong();
        }
      }
      b.append("  ").append(String.format("%032X", row)).append("  ");
      char filler = (char) ('A' + row % 26);
      while (b.length() < LINE_CHARS) {
        b.append(filler);
      }
      return b.toString();
    }

    /**
     * Empties {@code buffer} and collects records from {@code from} on until it refuses one, as
     * the collector does; returns the records added.
     */
    int collect(SortBuffer buffer, int from, ByteSink key, ByteSink val) throws IOException {
      buffer.clear();
      int i = from;
      for (; i < keys.length; i++) {
        key.clear();
        keyCodec.write(keys[i], key, false);
        val.clear();
        valueCodec.write(value, val, false);
        int p = Math.floorMod(PARTITION_HASH.hashBytes(key.array(), 0, key.length()).asInt(), partitions);
        if (!buffer.add(p, key.array(), 0, key.length(), val.array(), 0, val.length())) {
          return i - from;
        }
      }
      throw new IllegalStateException("generated too few records to fill a buffer of " + bufferMiB + " MiB");
    }

    /** Collects and sorts the buffer of run {@code run}; returns the first record of the next run. */
    int collectSorted(SortBuffer buffer, int from) throws IOException {
      int n = collect(buffer, from, new ByteSink(128), new ByteSink(16));
      buffer.sort();
      return from + n;
    }

    void spill(SortBuffer sorted, Path file) throws IOException {
      ShuffleSteps.writeRun(sorted, file, partitions);
    }
  }

  /** An empty buffer for {@code collect}. */
  @State(Scope.Thread)
  public static class Collecting {
    SortBuffer buffer;
    final ByteSink key = new ByteSink(128);
    final ByteSink value = new ByteSink(16);

    @Setup(Level.Trial)
    public void setUp(Input input) {
      buffer = new SortBuffer(input.budget());
    }
  }

  /** One full, sorted buffer and a directory to spill it into. */
  @State(Scope.Benchmark)
  public static class Filled {
    SortBuffer buffer;
    Path directory;

    @Setup(Level.Trial)
    public void setUp(Input input) throws IOException {
      buffer = new SortBuffer(input.budget());
      input.collectSorted(buffer, 0);
      directory = Files.createTempDirectory("shuffle-stages-spill");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      LocalStorage.deleteRecursively(directory);
    }
  }

  /** {@code runs} run files, each one full buffer of different records. */
  @State(Scope.Benchmark)
  public static class Runs {
    Path directory;
    Path[] files;
    RunIndex[] indexes;
    long records;
    long bytes;

    @Setup(Level.Trial)
    public void setUp(Input input) throws IOException {
      directory = Files.createTempDirectory("shuffle-stages-runs");
      files = new Path[input.runs];
      indexes = new RunIndex[input.runs];
      SortBuffer buffer = new SortBuffer(input.budget());
      int next = 0;
      for (int r = 0; r < input.runs; r++) {
        next = input.collectSorted(buffer, next);
        files[r] = directory.resolve("map-" + r + ".run");
        input.spill(buffer, files[r]);
        indexes[r] = RunIndex.read(RunWriter.indexOf(files[r]));
        records += buffer.count();
        bytes += buffer.dataBytes();
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      LocalStorage.deleteRecursively(directory);
    }
  }

  /** A shuffle server of the runs and a fetcher, both on their own event loop thread. */
  @State(Scope.Benchmark)
  public static class Served {
    EventLoopGroup serverGroup;
    EventLoopGroup clientGroup;
    ShuffleServer server;
    Fetcher fetcher;
    Path target;

    @Setup(Level.Trial)
    public void setUp(Runs runs) throws InterruptedException {
      serverGroup = new NioEventLoopGroup(1);
      clientGroup = new NioEventLoopGroup(1);
      server = new ShuffleServer(serverGroup, "127.0.0.1", 0, ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES,
          (jobId, mapIndex, attempt) -> "bench".equals(jobId) && attempt == 0 && mapIndex >= 0
              && mapIndex < runs.files.length ? new ShuffleServer.Served(runs.files[mapIndex], runs.indexes[mapIndex])
              : null);
      fetcher = new Fetcher(clientGroup, ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES);
      target = runs.directory.resolve("fetched.run");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      server.close();
      serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  /** Fills an empty buffer: returns the records collected. */
  @Benchmark
  public int collect(Input input, Collecting state, RecordsAndBytes processed) throws IOException {
    int n = input.collect(state.buffer, 0, state.key, state.value);
    processed.records += n;
    processed.bytes += state.buffer.dataBytes();
    return n;
  }

  /** Sorts a full buffer: returns it, so that the sort is not dead code. */
  @Benchmark
  public SortBuffer sort(Filled filled, RecordsAndBytes processed) {
    filled.buffer.sort();
    processed.records += filled.buffer.count();
    processed.bytes += filled.buffer.dataBytes();
    return filled.buffer;
  }

  /** Writes the sorted buffer as a run: returns the run's file bytes. */
  @Benchmark
  public long spill(Input input, Filled filled, RecordsAndBytes processed) throws IOException {
    Path file = filled.directory.resolve("spill.run");
    input.spill(filled.buffer, file);
    processed.records += filled.buffer.count();
    processed.bytes += filled.buffer.dataBytes();
    return Files.size(file);
  }

  /** Merges the runs, partition by partition: returns a sum over every record's bytes. */
  @Benchmark
  public long merge(Input input, Runs runs, RecordsAndBytes processed) throws IOException {
    long records = 0;
    long seen = 0;
    for (int p = 0; p < input.partitions; p++) {
      try (MergingStream merged = ShuffleSteps.merge(runs.files, runs.indexes, p)) {
        while (merged.next()) {
          records++;
          // Touch the key's last byte and the value's length, as a reducer reading them would.
          int kl = merged.keyLength();
          seen += kl + merged.valueLength() + (kl > 0 ? merged.keyArray()[merged.keyOffset() + kl - 1] : 0);
        }
      }
    }
    if (records != runs.records) {
      throw new IllegalStateException("merged " + records + " records of " + runs.records);
    }
    processed.records += records;
    processed.bytes += runs.bytes;
    return seen;
  }

  /**
   * Fetches every partition of every run over loopback into a file: returns the bytes received.
   * Netty's path warms up slowly (its first second runs at a twentieth of the rate it reaches after
   * about eight), so this stage warms up longer than the others.
   */
  @Benchmark
  @Warmup(iterations = 8, time = 1)
  public long fetch(Input input, Runs runs, Served served, RecordsAndBytes processed)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    long received = 0;
    for (int r = 0; r < runs.files.length; r++) {
      for (int p = 0; p < input.partitions; p++) {
        long got = served.fetcher.fetch("127.0.0.1", served.server.port(), new Message.FetchRequest("bench", r, 0, p),
            served.target).get(FETCH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (got != runs.indexes[r].lengths()[p]) {
          throw new IOException("fetched " + got + " bytes of map " + r + " partition " + p + ", expected "
              + runs.indexes[r].lengths()[p]);
        }
        received += got;
        Files.deleteIfExists(served.target);
        Files.deleteIfExists(RunWriter.indexOf(served.target));
      }
    }
    processed.records += runs.records;
    processed.bytes += runs.bytes;
    return received;
  }
}
