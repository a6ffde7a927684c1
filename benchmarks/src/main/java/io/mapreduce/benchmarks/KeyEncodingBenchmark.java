package io.mapreduce.benchmarks;

import io.mapreduce.thirdparty.com.google.common.hash.HashFunction;
import io.mapreduce.thirdparty.com.google.common.hash.Hashing;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-record cost in front of the sort buffer: encoding a {@code String} key with its key
 * codec (UTF-8) and choosing its partition the default way (Murmur3-32, seed 0, of the key bytes,
 * modulo R, as {@code JobPlan.hashPartition} does). Keys are 4,096 Zipf-distributed words of a
 * synthesized vocabulary; {@code alphabet=MIXED} adds accented, Greek, Cyrillic and
 * supplementary-plane words, which take the JDK's slower non-Latin-1 encoding path. Reported in
 * nanoseconds per key.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar KeyEncodingBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyEncodingBenchmark {
  private static final int KEYS = 4096;
  private static final HashFunction PARTITION_HASH = Hashing.murmur3_32_fixed();

  /** A {@code Vocabulary.Alphabet}; a String because JMH's generated code cannot see that enum. */
  @Param({"ASCII", "MIXED"})
  String alphabet;

  @Param({"5000"})
  int distinctKeys;

  @Param({"16"})
  int partitions;

  private String[] keys;
  private Codec<String> codec;
  private final ByteSink sink = new ByteSink(64);

  @Setup
  public void setUp() {
    codec = Codecs.forKey(String.class);
    List<String> vocabulary = Vocabulary.synthesize(distinctKeys, 7, Vocabulary.Alphabet.valueOf(alphabet));
    Zipf zipf = new Zipf(vocabulary.size(), 1.0);
    SplitMix64 random = new SplitMix64(13);
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = vocabulary.get(zipf.sample(random));
    }
  }

  /** Encodes every key; returns the total encoded length. */
  @Benchmark
  @OperationsPerInvocation(KEYS)
  public long encode() {
    long total = 0;
    for (String k : keys) {
      sink.clear();
      codec.write(k, sink, false);
      total += sink.length();
    }
    return total;
  }

  /** Encodes every key and partitions its bytes; returns the sum of the partitions. */
  @Benchmark
  @OperationsPerInvocation(KEYS)
  public long encodeAndPartition() {
    long total = 0;
    for (String k : keys) {
      sink.clear();
      codec.write(k, sink, false);
      total += Math.floorMod(PARTITION_HASH.hashBytes(sink.array(), 0, sink.length()).asInt(), partitions);
    }
    return total;
  }
}
