package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.format.RecordReader;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in input and output formats, a format written against the SPI, and reducers with
 * output types of their own, on the embedded engine; each checked against an oracle computed here
 * from the input bytes.
 */
class InputOutputFormatsTest {
  @TempDir Path dir;
  Path input;
  Path work;

  @BeforeEach
  void createDirectories() throws IOException {
    input = Files.createDirectories(dir.resolve("input"));
    work = Files.createDirectories(dir.resolve("work"));
  }

  private JobResult run(MapReduceSpecification.Builder<?, ?> b, String out) throws Exception {
    return MapReduce.exec(b.input(input.toString()).output(dir.resolve(out).toString()).workDirectory(work)
        .parallelism(2).build()).get(60, TimeUnit.SECONDS);
  }

  private static List<String> lines(Path out) throws IOException {
    List<String> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path f : s.filter(p -> p.getFileName().toString().startsWith("mr-out-")).sorted().toList()) {
        all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return all;
  }

  private static List<String> sorted(List<String> l) {
    List<String> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  /** Lines as the README defines them: \n, \r\n or \r ends one; a last line without one counts. */
  private static List<String> oracleLines(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        out.add(line.toString());
        line.setLength(0);
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
      } else {
        line.append(c);
      }
    }
    if (line.length() > 0) {
      out.add(line.toString());
    }
    return out;
  }

  // ---- key/value text -----------------------------------------------------------------------

  /** Emits each record as it came: the output line is key TAB value again. */
  public static final class EchoPairs extends PairMapper<String, String, String, String> {
    @Override
    public void map(String key, String value, Emitter<String, String> emitter) {
      emitter.emit(key, "[" + value + "]");
    }
  }

  private static final String KEY_VALUE_TEXT = "k1\tv1\r\nalone\n\u00e9t\u00e9\tv\tw\r"
      + "\ttab first\nk\u20ac\t\u20ac\u20ac\r\n\n" + "last\tno newline";

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7, 11, 64 << 20})
  void keyValueText_anySplitSize_eachLineOnceSplitAtTheFirstTab(int splitSize) throws Exception {
    Files.writeString(input.resolve("kv.txt"), KEY_VALUE_TEXT);
    Files.writeString(input.resolve("empty.txt"), "");
    run(MapReduceSpecification.builder().mapper(new EchoPairs()).reduceTasks(0).splitSize(splitSize)
        .inputFormat(InputFormat.keyValueText()), "out");

    List<String> expected = new ArrayList<>();
    for (String l : oracleLines(KEY_VALUE_TEXT)) {
      int tab = l.indexOf('\t');
      expected.add(tab < 0 ? l + "\t[]" : l.substring(0, tab) + "\t[" + l.substring(tab + 1) + "]");
    }
    assertThat(sorted(lines(dir.resolve("out")))).isEqualTo(sorted(expected));
  }

  @Test
  void keyValueText_otherSeparator_splitsThere() throws Exception {
    Files.writeString(input.resolve("kv.csv"), "a,1,2\nb\n,c\n");
    run(MapReduceSpecification.builder().mapper(new EchoPairs()).reduceTasks(0)
        .inputFormat(InputFormat.keyValueText(",")), "out");
    assertThat(sorted(lines(dir.resolve("out")))).containsExactly("\t[c]", "a\t[1,2]", "b\t[]");
  }

  @Test
  void lineMapper_withKeyValueInput_refusedNamingBothTypes() {
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).inputFormat(InputFormat.keyValueText()).input("in").output("out").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reads records (java.lang.Long, java.lang.String)")
        .hasMessageContaining("input format keyValueText gives (java.lang.String, java.lang.String)")
        .hasMessageContaining("extend PairMapper<String, String, K, V>");
  }

  // ---- whole files ----------------------------------------------------------------------------

  /** The lab's mapf(filename, contents): here the file's name and its number of characters. */
  public static final class FileLength extends PairMapper<String, String, String, Long> {
    @Override
    public void map(String file, String contents, Emitter<String, Long> emitter) {
      emitter.emit(file.substring(file.lastIndexOf('/') + 1), (long) contents.length());
    }
  }

  @Test
  void wholeFiles_oneRecordPerFileWhateverItsSize_compressedOnesDecompressed() throws Exception {
    String big = "x\u00e9\n".repeat(50_000);
    Files.writeString(input.resolve("big.txt"), big);
    Files.writeString(input.resolve("one-line.txt"), "no newline at all");
    Files.writeString(input.resolve("empty.txt"), "");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(input.resolve("z.txt.gz")))) {
      out.write("gz \u20ac".getBytes(StandardCharsets.UTF_8));
    }
    JobResult r = run(MapReduceSpecification.builder().mapper(new FileLength()).reduceTasks(0).splitSize(1000)
        .inputFormat(InputFormat.wholeFiles()), "out");

    assertThat(sorted(lines(dir.resolve("out")))).containsExactly("big.txt\t" + big.length(), "empty.txt\t0",
        "one-line.txt\t17", "z.txt.gz\t4");
    assertThat(r.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(4);
  }

  // ---- N lines per split ----------------------------------------------------------------------

  @Test
  void nLines_oneLinePerSplit_oneMapTaskPerCommand() throws Exception {
    Files.writeString(input.resolve("commands.txt"), "run a\r\nrun b\nrun c\rrun d\nrun e");
    JobResult r = run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper()).reduceTasks(0)
        .inputFormat(InputFormat.nLines(1)), "out");

    assertThat(r.outputFiles()).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(Files.readAllLines(dir.resolve("out").resolve(String.format("mr-out-%05d", i))))
          .containsExactly("run\t1", (char) ('a' + i) + "\t1");
    }
  }

  @Test
  void nLines_twoPerSplit_coversEveryLineOnce() throws Exception {
    Files.writeString(input.resolve("a.txt"), "1\n2\n3\n4\n5\n");
    Files.writeString(input.resolve("b.txt"), "6\n");
    Files.writeString(input.resolve("c.txt"), "");
    JobResult r = run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper()).reduceTasks(0)
        .inputFormat(InputFormat.nLines(2)), "out");
    assertThat(r.outputFiles()).hasSize(4);
    assertThat(sorted(lines(dir.resolve("out")))).containsExactly("1\t1", "2\t1", "3\t1", "4\t1", "5\t1", "6\t1");
  }

  // ---- small files packed ---------------------------------------------------------------------

  /** Counts lines per file, as TaskContext.inputFile() names it while the record is read. */
  public static final class LinesPerFile extends Mapper<String, Long> {
    private transient TaskContext context;

    @Override
    public void setup(TaskContext context) {
      this.context = context;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      String f = context.inputFile();
      emitter.emit(f.substring(f.lastIndexOf('/') + 1), 1L);
    }
  }

  @Test
  void combinedText_thousandsOfSmallFiles_fewMapTasksAndEachLineCountedForItsFile() throws Exception {
    Random random = new Random(3);
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < 2000; i++) {
      int n = random.nextInt(4);
      StringBuilder text = new StringBuilder();
      for (int l = 0; l < n; l++) {
        text.append("line ").append(l).append(l % 2 == 0 ? "\n" : "\r\n");
      }
      String name = String.format("f%04d.txt", i);
      Files.writeString(input.resolve(name), text.toString());
      if (n > 0) {
        expected.put(name, (long) n);
      }
    }
    Job job = MapReduce.exec(MapReduceSpecification.builder().mapper(new LinesPerFile())
        .reducer(new EngineContract.Sum()).splitSize(4096).inputFormat(InputFormat.combinedText())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).parallelism(2).build());
    JobResult r = job.get(60, TimeUnit.SECONDS);

    Map<String, Long> got = new TreeMap<>();
    for (String l : lines(dir.resolve("out"))) {
      String[] kv = l.split("\t");
      got.put(kv[0], Long.parseLong(kv[1]));
    }
    assertThat(got).isEqualTo(expected);
    assertThat(r.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(
        expected.values().stream().mapToLong(Long::longValue).sum());
    long inputBytes;
    try (Stream<Path> s = Files.list(input)) {
      inputBytes = s.mapToLong(p -> p.toFile().length()).sum();
    }
    // 2000 files of about 20 bytes in 4 KiB splits: about ten map tasks, not 2000.
    assertThat((long) job.progress().mapsTotal()).isBetween(inputBytes / 4096, inputBytes / 4096 + 2);
  }

  // ---- reducers with output types of their own ------------------------------------------------

  public static final class NumberPerLine extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      String[] kv = line.split(" ");
      emitter.emit(kv[0], Long.parseLong(kv[1]));
    }
  }

  /** An average: (String, Long) in, (String, Double) out. */
  public static final class Average extends PairReducer<String, Long, String, Double> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Double> emitter) {
      long sum = 0;
      long n = 0;
      for (long v : values) {
        sum += v;
        n++;
      }
      emitter.emit(key, (double) sum / n);
    }
  }

  @Test
  void pairReducer_averageWithDoubleOutput_typesFromItsTypeArguments() throws Exception {
    Files.writeString(input.resolve("n.txt"), "a 1\nb 10\na 2\nb 20\na 4\n");
    var spec = MapReduceSpecification.builder().mapper(new NumberPerLine()).reducer(new Average())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build();
    assertThat(spec.outputKeyType()).isEqualTo(String.class);
    assertThat(spec.outputValueType()).isEqualTo(Double.class);
    MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(lines(dir.resolve("out"))).containsExactly("a\t" + (7.0 / 3), "b\t15.0");
  }

  // ---- output formats -------------------------------------------------------------------------

  @Test
  void gzipAndZstdText_sameLinesAsPlainText_inFilesNamedWithTheExtension() throws Exception {
    Files.writeString(input.resolve("t.txt"), "b a c a\n\u00e9 b\n".repeat(1000));
    run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper()).reducer(new EngineContract.Sum())
        .reduceTasks(2), "plain");
    JobResult gz = run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).reduceTasks(2).outputFormat(OutputFormat.gzipText()), "gz");
    JobResult zst = run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).reduceTasks(2).outputFormat(OutputFormat.zstdText()), "zst");

    assertThat(gz.outputFiles()).extracting(u -> Path.of(u).getFileName().toString())
        .containsExactly("mr-out-00000.gz", "mr-out-00001.gz");
    assertThat(zst.outputFiles()).extracting(u -> Path.of(u).getFileName().toString())
        .containsExactly("mr-out-00000.zst", "mr-out-00001.zst");
    for (int i = 0; i < 2; i++) {
      byte[] plain = Files.readAllBytes(dir.resolve("plain").resolve(String.format("mr-out-%05d", i)));
      try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("gz").resolve(
          String.format("mr-out-%05d.gz", i))))) {
        assertThat(in.readAllBytes()).isEqualTo(plain);
      }
      try (InputStream in = new ZstdInputStream(Files.newInputStream(dir.resolve("zst").resolve(
          String.format("mr-out-%05d.zst", i))))) {
        assertThat(in.readAllBytes()).isEqualTo(plain);
      }
    }
  }

  @Test
  void lazyOutput_reducersThatWriteNothing_leaveNoFile() throws Exception {
    Files.writeString(input.resolve("t.txt"), "only\nonly\n");
    JobResult r = run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).reduceTasks(5).lazyOutput(true), "out");

    assertThat(r.outputFiles()).hasSize(1);
    try (Stream<Path> s = Files.list(dir.resolve("out"))) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("mr-out-"))).hasSize(1);
    }
    assertThat(lines(dir.resolve("out"))).containsExactly("only\t2");
  }

  // ---- side outputs ---------------------------------------------------------------------------

  /** Counts; words seen once go to the side output "rare" instead; the first attempt of each task fails late. */
  public static final class SumOrRare extends Reducer<String, Long> {
    private transient TaskContext context;
    private transient int emitted;

    @Override
    public void setup(TaskContext context) {
      this.context = context;
    }

    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long n = 0;
      for (long v : values) {
        n += v;
      }
      if (n == 1) {
        context.<String, String>sideOutput("rare").emit(key, "seen once");
      } else {
        emitter.emit(key, n);
      }
      emitted++;
    }

    @Override
    public void cleanup(Emitter<String, Long> emitter) {
      if (context.attempt() == 1 && emitted > 0) {
        throw new IllegalStateException("first attempts fail after writing");
      }
    }
  }

  @Test
  void sideOutput_committedWithTheTaskOnlyFromTheSuccessfulAttempt_andNotListedAsMainOutput() throws Exception {
    Files.writeString(input.resolve("t.txt"), "a b b c c c d e e\nf\n");
    JobResult r = run(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper()).reducer(new SumOrRare())
        .reduceTasks(2).sideOutput("rare", String.class, String.class), "out");

    Path out = dir.resolve("out");
    assertThat(r.outputFiles()).extracting(u -> Path.of(u).getFileName().toString())
        .containsExactly("mr-out-00000", "mr-out-00001");
    List<String> rare = new ArrayList<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path f : s.filter(p -> p.getFileName().toString().startsWith("rare-")).sorted().toList()) {
        List<String> fileLines = Files.readAllLines(f);
        assertThat(fileLines).as("%s in key order", f).isSortedAccordingTo(String::compareTo);
        rare.addAll(fileLines);
      }
    }
    assertThat(sorted(rare)).containsExactly("a\tseen once", "d\tseen once", "f\tseen once");
    assertThat(sorted(lines(out))).containsExactly("b\t2", "c\t3", "e\t2");
  }

  public static final class SideFromMap extends Mapper<String, Long> {
    private transient TaskContext context;

    @Override
    public void setup(TaskContext context) {
      this.context = context;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      context.<String, Long>sideOutput(line).emit(line, 1L);
    }
  }

  @Test
  void sideOutput_fromAMapTaskWithReducersOrUndeclared_failsSayingWhy() throws Exception {
    Files.writeString(input.resolve("t.txt"), "rare\n");
    var withReducers = MapReduce.exec(MapReduceSpecification.builder().mapper(new SideFromMap())
        .reducer(new EngineContract.Sum()).sideOutput("rare", String.class, Long.class).maxTaskAttempts(1)
        .input(input.toString()).output(dir.resolve("out1").toString()).workDirectory(work).build());
    assertThatThrownBy(() -> withReducers.get(60, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause().hasMessageContaining("side outputs are written by reduce tasks, or by the map tasks of a map-only job");
    var undeclared = MapReduce.exec(MapReduceSpecification.builder().mapper(new SideFromMap()).reduceTasks(0)
        .maxTaskAttempts(1).input(input.toString()).output(dir.resolve("out2").toString()).workDirectory(work).build());
    assertThatThrownBy(() -> undeclared.get(60, TimeUnit.SECONDS)).rootCause()
        .hasMessage("the job declared no side output 'rare' (it has [])");
    var mapOnly = MapReduce.exec(MapReduceSpecification.builder().mapper(new SideFromMap()).reduceTasks(0)
        .sideOutput("rare", String.class, Long.class).outputFormat(OutputFormat.gzipText()).input(input.toString())
        .output(dir.resolve("out3").toString()).workDirectory(work).build());
    mapOnly.get(60, TimeUnit.SECONDS);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("out3/rare-00000.gz")))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("rare\t1\n");
    }
  }

  // ---- a format of one's own, through the SPI -------------------------------------------------

  /**
   * Big-endian longs, 8 bytes each: splits cut at the split size rounded down to whole records;
   * records are (index, number).
   */
  public static final class LongsFormat extends InputFormat<Long, Long> {
    public LongsFormat() {
      super(Long.class, Long.class);
    }

    @Override
    public List<InputSplit> split(Storage storage, List<io.mapreduce.spi.InputFile> files, long splitSize) {
      return InputSplit.of(files, Math.max(8, splitSize / 8 * 8));
    }

    @Override
    public RecordReader<Long, Long> open(Storage storage, InputSplit split) throws IOException {
      var range = split.ranges().get(0);
      DataInputStream in = new DataInputStream(storage.open(range.file(), range.start()));
      return new RecordReader<>() {
        long position = range.start() - 8;
        long value;

        @Override
        public boolean next() throws IOException {
          if (position + 8 >= range.end()) {
            return false;
          }
          try {
            value = in.readLong();
          } catch (EOFException e) {
            throw new IOException(range.file().path() + " is not whole longs", e);
          }
          position += 8;
          return true;
        }

        @Override
        public Long key() {
          return position / 8;
        }

        @Override
        public Long value() {
          return value;
        }

        @Override
        public String file() {
          return range.file().path();
        }

        @Override
        public long offset() {
          return position;
        }

        @Override
        public long recordBytes() {
          return 8;
        }

        @Override
        public long consumed() {
          return position + 8 - range.start();
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      };
    }
  }

  /** Sums the numbers by parity. */
  public static final class ByParity extends PairMapper<Long, Long, String, Long> {
    @Override
    public void map(Long index, Long number, Emitter<String, Long> emitter) {
      emitter.emit(number % 2 == 0 ? "even" : "odd", number);
    }
  }

  @Test
  void customFormat_throughTheSpi_readsEveryRecordOnce() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8 * 1000);
    long even = 0;
    long odd = 0;
    for (long i = 0; i < 1000; i++) {
      long n = i * 7919 % 1009;
      b.putLong(n);
      if (n % 2 == 0) {
        even += n;
      } else {
        odd += n;
      }
    }
    Files.write(input.resolve("numbers.bin"), b.array());
    JobResult r = run(MapReduceSpecification.builder().mapper(new ByParity()).reducer(new EngineContract.Sum())
        .splitSize(1000).inputFormat(new LongsFormat()), "out");

    assertThat(lines(dir.resolve("out"))).containsExactly("even\t" + even, "odd\t" + odd);
    assertThat(r.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(1000);
  }
}
