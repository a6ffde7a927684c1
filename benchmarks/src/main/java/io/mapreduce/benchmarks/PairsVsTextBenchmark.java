package io.mapreduce.benchmarks;

import io.mapreduce.internal.io.PairsReader;
import io.mapreduce.internal.io.PairsWriter;
import io.mapreduce.internal.io.TextOutputWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The lean baseline of pairs against text: one job's output read back as the next job's input, two
 * ways, in nanoseconds per record, with the format's own classes and no reader or stream in between
 * ({@link PairsVsTextFormatsBenchmark} goes through the public formats, as a job does, and is the
 * comparison of record). A word count's {@code (String word, Long count)} pairs written to memory
 * and read back as objects,
 * <ul>
 *   <li>{@code pairs*}: {@link PairsWriter#write} and {@link PairsReader} with {@code key()} and
 *       {@code value()}, the typed binary format;
 *   <li>{@code text*}: {@link TextOutputWriter} ({@code word<TAB>count} lines, the default output)
 *       and the parse a user of Hadoop's {@code KeyValueTextInputFormat} writes: split each line
 *       at the tab, the key a {@code new String} from UTF-8, the value {@code Long.parseLong} of
 *       another. The parse works on the bytes in place, with no reader or stream in between, so
 *       the baseline pays for nothing but the format itself.
 * </ul>
 * {@code *WriteRead} is the round trip; {@code *Write} and {@code *Read} its halves ({@code *Read}
 * reads bytes written once per trial); {@code pairsReadRaw} reads the pairs without decoding them,
 * what the format costs beyond making the objects. Words are Zipf-distributed over a synthesized vocabulary
 * ({@code alphabet=MIXED} adds accented, Greek, Cyrillic and supplementary-plane words); counts
 * are heavy-tailed as word counts are (mostly one digit, some up to seven). Every operation
 * handles {@code records} pairs and returns a checksum of what it read (or the bytes written), so
 * that nothing is dead code.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PairsVsText -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PairsVsTextBenchmark {
  private static final int RECORDS = 1_000_000;

  /** A {@code Vocabulary.Alphabet}; a String because JMH's generated code cannot see that enum. */
  @Param({"ASCII", "MIXED"})
  String alphabet;

  private String[] words;
  private Long[] counts;
  /** Written once per trial, for the read-only benchmarks. */
  private Bytes pairsFile;
  private Bytes textFile;
  private final Bytes out = new Bytes();

  /** A byte array stream whose bytes are read in place, not copied. */
  static final class Bytes extends ByteArrayOutputStream {
    Bytes() {
      super(32 << 20);
    }

    byte[] array() {
      return buf;
    }

    int length() {
      return count;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    words = new String[RECORDS];
    counts = new Long[RECORDS];
    wordCounts(alphabet, words, counts);
    pairsFile = new Bytes();
    writePairs(pairsFile);
    textFile = new Bytes();
    writeText(textFile);
    if (readPairs(pairsFile) != readText(textFile)) {
      throw new IllegalStateException("pairs and text read back different records");
    }
  }

  /**
   * Fills {@code words} and {@code counts} with a word count's pairs: words Zipf-distributed over a
   * synthesized 5,000-word vocabulary of the given {@code Vocabulary.Alphabet}, counts heavy-tailed
   * (mostly one digit, at most seven). The same seeds every time, so every benchmark of pairs
   * against text reads the same records.
   */
  static void wordCounts(String alphabet, String[] words, Long[] counts) {
    List<String> vocabulary = Vocabulary.synthesize(5000, 23, Vocabulary.Alphabet.valueOf(alphabet));
    Zipf zipf = new Zipf(vocabulary.size(), 1.0);
    SplitMix64 random = new SplitMix64(29);
    for (int i = 0; i < words.length; i++) {
      words[i] = vocabulary.get(zipf.sample(random));
      counts[i] = Math.min(9_999_999L, (long) (1 / (1 - random.nextDouble())));
    }
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsWriteRead() throws IOException {
    out.reset();
    writePairs(out);
    return readPairs(out);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long textWriteRead() throws IOException {
    out.reset();
    writeText(out);
    return readText(out);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsWrite() throws IOException {
    out.reset();
    writePairs(out);
    return out.length();
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long textWrite() throws IOException {
    out.reset();
    writeText(out);
    return out.length();
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsRead() throws IOException {
    return readPairs(pairsFile);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long textRead() {
    return readText(textFile);
  }

  /** The format alone: every record's bytes found and checked, nothing decoded. */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsReadRaw() throws IOException {
    long sum = 0;
    try (PairsReader<String, Long> reader = open(pairsFile)) {
      while (reader.next()) {
        sum += reader.keyLength() + reader.valueLength();
      }
    }
    return sum;
  }

  private void writePairs(Bytes to) throws IOException {
    PairsWriter<String, Long> writer = new PairsWriter<>(to, String.class, Long.class);
    for (int i = 0; i < RECORDS; i++) {
      writer.write(words[i], counts[i]);
    }
    writer.close();
  }

  private void writeText(Bytes to) throws IOException {
    TextOutputWriter writer = new TextOutputWriter(to);
    for (int i = 0; i < RECORDS; i++) {
      writer.write(words[i], counts[i]);
    }
    writer.close();
  }

  /** The sum of the keys' lengths and the counts, a checksum both readers must agree on. */
  private static long readPairs(Bytes file) throws IOException {
    long sum = 0;
    try (PairsReader<String, Long> reader = open(file)) {
      while (reader.next()) {
        sum += reader.key().length() + reader.value();
      }
    }
    return sum;
  }

  private static PairsReader<String, Long> open(Bytes file) throws IOException {
    return PairsReader.open(new ByteArrayInputStream(file.array(), 0, file.length()), "benchmark.pairs", String.class,
        Long.class);
  }

  private static long readText(Bytes file) {
    byte[] b = file.array();
    int end = file.length();
    long sum = 0;
    int line = 0;
    while (line < end) {
      int tab = line;
      while (b[tab] != '\t') {
        tab++;
      }
      int newline = tab + 1;
      while (b[newline] != '\n') {
        newline++;
      }
      String key = new String(b, line, tab - line, StandardCharsets.UTF_8);
      long value = Long.parseLong(new String(b, tab + 1, newline - tab - 1, StandardCharsets.UTF_8));
      sum += key.length() + value;
      line = newline + 1;
    }
    return sum;
  }
}
