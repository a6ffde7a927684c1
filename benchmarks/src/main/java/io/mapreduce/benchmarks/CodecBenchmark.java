package io.mapreduce.benchmarks;

import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.ByteSource;
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
 * What a value or key costs to cross the engine's byte boundary, per record, in nanoseconds:
 * <ul>
 *   <li>{@code kryoValue}: encode and decode a small user class ({@link PageView}: a URL, a
 *       timestamp, a status code, a latency) with the codec {@code Codecs.forValue} picks for it,
 *       Kryo, as a job whose values are such objects would pay once per record each way;
 *   <li>{@code stringKeyDecode}: decode a {@code String} key from its UTF-8 encoding, as a reducer
 *       (or a combiner) does once per key group; words as in {@link KeyEncodingBenchmark};
 *   <li>{@code longValue}: encode and decode a {@code Long} value (8 bytes, big-endian), as word
 *       count's counts are.
 * </ul>
 * Each operation handles 1,024 items (4,096 keys for {@code stringKeyDecode}) and returns a sum of
 * the results, so that nothing is dead code. Only {@code stringKeyDecode} has a parameter.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CodecBenchmark -f 1 -wi 2 -i 3}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private static final int VALUES = 1024;
  private static final int KEYS = 4096;

  /** A small user value type: no codec of its own, so it goes through Kryo. */
  public static final class PageView {
    String url;
    long timestampMillis;
    int status;
    double latencySeconds;

    PageView() {}

    PageView(String url, long timestampMillis, int status, double latencySeconds) {
      this.url = url;
      this.timestampMillis = timestampMillis;
      this.status = status;
      this.latencySeconds = latencySeconds;
    }
  }

  /** PageViews with short, Zipf-chosen paths, and the Kryo codec of their type. */
  @State(Scope.Thread)
  public static class KryoValues {
    final PageView[] values = new PageView[VALUES];
    final ByteSink sink = new ByteSink(128);
    final ByteSource source = new ByteSource();
    Codec<PageView> codec;

    @Setup
    public void setUp() {
      codec = Codecs.forValue(PageView.class);
      if (codec.isOrdered()) {
        throw new IllegalStateException("expected the Kryo codec for PageView, got " + codec);
      }
      List<String> words = Vocabulary.synthesize(1000, 11, Vocabulary.Alphabet.ASCII);
      Zipf zipf = new Zipf(words.size(), 1.0);
      SplitMix64 random = new SplitMix64(17);
      for (int i = 0; i < VALUES; i++) {
        String url = "/" + words.get(zipf.sample(random)) + "/" + words.get(zipf.sample(random)) + ".html";
        int status = random.nextInt(100) < 95 ? 200 : 404;
        values[i] = new PageView(url, 1_790_000_000_000L + random.nextInt(86_400_000), status,
            random.nextInt(1_000_000) / 1e6);
      }
    }
  }

  /** Zipf-distributed words, encoded with the {@code String} key codec. */
  @State(Scope.Thread)
  public static class StringKeys {
    /** A {@code Vocabulary.Alphabet}; a String because JMH's generated code cannot see that enum. */
    @Param({"ASCII", "MIXED"})
    String alphabet;

    final byte[][] encoded = new byte[KEYS][];
    final ByteSource source = new ByteSource();
    Codec<String> codec;

    @Setup
    public void setUp() {
      codec = Codecs.forKey(String.class);
      List<String> vocabulary = Vocabulary.synthesize(5000, 7, Vocabulary.Alphabet.valueOf(alphabet));
      Zipf zipf = new Zipf(vocabulary.size(), 1.0);
      SplitMix64 random = new SplitMix64(13);
      ByteSink sink = new ByteSink(64);
      for (int i = 0; i < KEYS; i++) {
        sink.clear();
        codec.write(vocabulary.get(zipf.sample(random)), sink, false);
        encoded[i] = java.util.Arrays.copyOf(sink.array(), sink.length());
      }
    }
  }

  /** Random longs, some small (counts), some large. */
  @State(Scope.Thread)
  public static class LongValues {
    final Long[] values = new Long[VALUES];
    final ByteSink sink = new ByteSink(16);
    final ByteSource source = new ByteSource();
    Codec<Long> codec;

    @Setup
    public void setUp() {
      codec = Codecs.forValue(Long.class);
      SplitMix64 random = new SplitMix64(19);
      for (int i = 0; i < VALUES; i++) {
        values[i] = i % 2 == 0 ? (long) random.nextInt(1000) : random.nextLong();
      }
    }
  }

  /** Encodes and decodes every PageView; returns the encoded bytes plus the decoded statuses. */
  @Benchmark
  @OperationsPerInvocation(VALUES)
  public long kryoValue(KryoValues s) {
    long total = 0;
    for (PageView v : s.values) {
      s.sink.clear();
      s.codec.write(v, s.sink, false);
      PageView back = s.codec.decode(s.source, s.sink.array(), 0, s.sink.length());
      total += s.sink.length() + back.status;
    }
    return total;
  }

  /** Decodes every key; returns the sum of their lengths. */
  @Benchmark
  @OperationsPerInvocation(KEYS)
  public long stringKeyDecode(StringKeys s) {
    long total = 0;
    for (byte[] k : s.encoded) {
      total += s.codec.decode(s.source, k, 0, k.length).length();
    }
    return total;
  }

  /** Encodes and decodes every Long; returns the sum of the decoded values. */
  @Benchmark
  @OperationsPerInvocation(VALUES)
  public long longValue(LongValues s) {
    long total = 0;
    for (Long v : s.values) {
      s.sink.clear();
      s.codec.write(v, s.sink, false);
      total += s.codec.decode(s.source, s.sink.array(), 0, s.sink.length());
    }
    return total;
  }
}
