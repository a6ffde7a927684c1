package io.mapreduce.benchmarks;

import io.mapreduce.thirdparty.com.google.common.hash.HashFunction;
import io.mapreduce.thirdparty.com.google.common.hash.Hashing;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.lib.TotalOrderPartitioner;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The cost of choosing a key's partition, per key, in nanoseconds: the engine's default (Murmur3-32,
 * seed 0, of the key's encoded bytes, modulo R, as {@code JobPlan.hashPartition} does; the bytes
 * exist anyway, since keys are encoded when emitted) against {@link TotalOrderPartitioner#partition}
 * (a binary search over R - 1 split points, comparing strings in UTF-8 order), which the sort
 * example uses and which gets the key as an object.
 *
 * <p>Keys are 4,096 strings of {@code keyLength} chars. {@code RANDOM}: random ASCII letters, so
 * comparisons end at the first char or two. {@code COMMON_PREFIX}: all keys share their first
 * {@code keyLength - 4} chars and differ in the last four (like paths under one directory or
 * timestamps), so every comparison reads nearly the whole key; the worst case for the search and,
 * for the hash, no different. Split points are taken evenly from the sorted keys, as
 * {@code TotalOrderPartitioner.sampleLines} takes them from sampled lines.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PartitionerBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PartitionerBenchmark {
  private static final int KEYS = 4096;
  private static final HashFunction PARTITION_HASH = Hashing.murmur3_32_fixed();

  @Param({"8", "64"})
  int keyLength;

  /** {@code RANDOM} or {@code COMMON_PREFIX}; see the class comment. */
  @Param({"RANDOM", "COMMON_PREFIX"})
  String distribution;

  @Param({"16", "1024"})
  int partitions;

  private String[] keys;
  private byte[][] encoded;
  private TotalOrderPartitioner<String> totalOrder;

  @Setup
  public void setUp() {
    if (keyLength < 4) {
      throw new IllegalArgumentException("keyLength must be at least 4 but was " + keyLength);
    }
    SplitMix64 random = new SplitMix64(23);
    char[] prefix = new char[keyLength - 4];
    for (int j = 0; j < prefix.length; j++) {
      prefix[j] = letter(random);
    }
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      char[] k = new char[keyLength];
      for (int j = 0; j < keyLength; j++) {
        k[j] = switch (distribution) {
          case "RANDOM" -> letter(random);
          case "COMMON_PREFIX" -> j < prefix.length ? prefix[j] : letter(random);
          default -> throw new IllegalArgumentException("unknown distribution " + distribution);
        };
      }
      keys[i] = new String(k);
    }
    Codec<String> codec = Codecs.forKey(String.class);
    ByteSink sink = new ByteSink(keyLength * 3);
    encoded = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      sink.clear();
      codec.write(keys[i], sink, false);
      encoded[i] = Arrays.copyOf(sink.array(), sink.length());
    }
    String[] sorted = keys.clone();
    Arrays.sort(sorted, TotalOrderPartitioner::compareUtf8);
    List<String> splitPoints = new ArrayList<>();
    for (int i = 1; i < partitions; i++) {
      splitPoints.add(sorted[(int) ((long) i * sorted.length / partitions)]);
    }
    totalOrder = new TotalOrderPartitioner<>(splitPoints);
  }

  private static char letter(SplitMix64 random) {
    int c = random.nextInt(52);
    return (char) (c < 26 ? 'a' + c : 'A' + c - 26);
  }

  /** Murmur3-32 of each encoded key modulo R; returns the sum of the partitions. */
  @Benchmark
  @OperationsPerInvocation(KEYS)
  public long hashPartition() {
    long total = 0;
    for (byte[] k : encoded) {
      total += Math.floorMod(PARTITION_HASH.hashBytes(k, 0, k.length).asInt(), partitions);
    }
    return total;
  }

  /** TotalOrderPartitioner.partition of each key; returns the sum of the partitions. */
  @Benchmark
  @OperationsPerInvocation(KEYS)
  public long totalOrderPartition() {
    long total = 0;
    for (String k : keys) {
      total += totalOrder.partition(k, partitions);
    }
    return total;
  }
}
