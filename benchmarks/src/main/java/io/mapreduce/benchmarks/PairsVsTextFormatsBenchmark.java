package io.mapreduce.benchmarks;

import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.format.RecordReader;
import io.mapreduce.format.RecordWriter;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pairs against text as a user of the library meets them between two jobs, in nanoseconds per
 * record: a word count's {@code (String word, Long count)} pairs written to a local file through
 * the public output formats and read back through the public input formats, the way the engine
 * drives them (an unbuffered file stream given to {@link OutputFormat#open}, then {@link
 * RecordWriter#write} and {@link RecordWriter#finish}; {@link InputFormat#split} of the listed file
 * and {@link InputFormat#open} of each split on {@link LocalStorage}, then {@link
 * RecordReader#next}, {@code key()} and {@code value()}):
 * <ul>
 *   <li>{@code pairs*}: {@link OutputFormat#pairs()} and {@link InputFormat#pairs InputFormat.pairs(String.class,
 *       Long.class)};
 *   <li>{@code text*}: {@link OutputFormat#text()} ({@code word<TAB>count} lines, the default
 *       output) and {@link InputFormat#keyValueText()}, whose value the user parses with {@link
 *       Long#parseLong}.
 * </ul>
 * {@code *WriteRead} is the round trip; {@code *Write} and {@code *Read} its halves ({@code *Read}
 * reads a file written once per trial). {@code pairsNone}, {@code pairsKeyOnly} and {@code
 * pairsValueOnly} take {@code pairsRead} apart: the records walked without decoding, and only the
 * keys or only the values decoded. The files live in a temporary directory made for the trial
 * (so in the page cache: nothing waits for the disk) and deleted after it. The records are those
 * of {@link PairsVsTextBenchmark}, the lean baseline that parses text bytes in place; every
 * operation returns the bytes written or a checksum of what it read, and the setup checks that both
 * formats read back the same checksum.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PairsVsTextFormats -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PairsVsTextFormatsBenchmark {
  private static final int RECORDS = 1_000_000;
  private static final Storage STORAGE = LocalStorage.INSTANCE;

  /** A {@code Vocabulary.Alphabet}; a String because JMH's generated code cannot see that enum. */
  @Param({"ASCII", "MIXED"})
  String alphabet;

  private final String[] words = new String[RECORDS];
  private final Long[] counts = new Long[RECORDS];
  private Path directory;
  /** Written once per trial, for the read-only benchmarks. */
  private Path pairsInput;
  private Path textInput;
  /** Written again by every write benchmark's invocation. */
  private Path pairsOutput;
  private Path textOutput;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    PairsVsTextBenchmark.wordCounts(alphabet, words, counts);
    directory = Files.createTempDirectory("pairs-vs-text-formats");
    pairsInput = directory.resolve("input.pairs");
    textInput = directory.resolve("input.txt");
    pairsOutput = directory.resolve("output.pairs");
    textOutput = directory.resolve("output.txt");
    write(OutputFormat.pairs(), pairsInput);
    write(OutputFormat.text(), textInput);
    if (readPairs(pairsInput) != readText(textInput)) {
      throw new IllegalStateException("pairs and text read back different records");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsWriteRead() throws IOException {
    write(OutputFormat.pairs(), pairsOutput);
    return readPairs(pairsOutput);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long textWriteRead() throws IOException {
    write(OutputFormat.text(), textOutput);
    return readText(textOutput);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsWrite() throws IOException {
    return write(OutputFormat.pairs(), pairsOutput);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long textWrite() throws IOException {
    return write(OutputFormat.text(), textOutput);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsRead() throws IOException {
    return readPairs(pairsInput);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsKeyOnly() throws IOException {
    return readPairsPartly(pairsInput, true, false);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsValueOnly() throws IOException {
    return readPairsPartly(pairsInput, false, true);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long pairsNone() throws IOException {
    return readPairsPartly(pairsInput, false, false);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long textRead() throws IOException {
    return readText(textInput);
  }

  /** Writes every pair to {@code file} as a reduce task does; returns the file's size. */
  private long write(OutputFormat format, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      RecordWriter<String, Long> writer = format.open(out, String.class, Long.class);
      for (int i = 0; i < RECORDS; i++) {
        writer.write(words[i], counts[i]);
      }
      writer.finish();
    }
    return Files.size(file);
  }

  /** The sum of the keys' lengths and the counts, a checksum both readers must agree on. */
  private static long readPairs(Path file) throws IOException {
    InputFormat<String, Long> format = InputFormat.pairs(String.class, Long.class);
    long sum = 0;
    for (InputSplit split : format.split(STORAGE, STORAGE.listInputs(file.toString()), Long.MAX_VALUE)) {
      try (RecordReader<String, Long> reader = format.open(STORAGE, split)) {
        while (reader.next()) {
          sum += reader.key().length() + reader.value();
        }
      }
    }
    return sum;
  }

  /** Walks every record, decoding only the keys or the values asked for; counts the records. */
  private static long readPairsPartly(Path file, boolean keys, boolean values) throws IOException {
    InputFormat<String, Long> format = InputFormat.pairs(String.class, Long.class);
    long sum = 0;
    for (InputSplit split : format.split(STORAGE, STORAGE.listInputs(file.toString()), Long.MAX_VALUE)) {
      try (RecordReader<String, Long> reader = format.open(STORAGE, split)) {
        while (reader.next()) {
          sum += 1 + (keys ? reader.key().length() : 0) + (values ? reader.value() : 0);
        }
      }
    }
    return sum;
  }

  private static long readText(Path file) throws IOException {
    InputFormat<String, String> format = InputFormat.keyValueText();
    long sum = 0;
    for (InputSplit split : format.split(STORAGE, STORAGE.listInputs(file.toString()), Long.MAX_VALUE)) {
      try (RecordReader<String, String> reader = format.open(STORAGE, split)) {
        while (reader.next()) {
          sum += reader.key().length() + Long.parseLong(reader.value());
        }
      }
    }
    return sum;
  }
}
