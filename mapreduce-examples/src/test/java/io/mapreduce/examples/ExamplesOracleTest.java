package io.mapreduce.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.Counters;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.examples.Oracle.Line;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs word count, indexer, grep and sort on a corpus full of edge cases (every line terminator,
 * an empty file, a file without a final newline, letters outside the BMP and above U+E000, long
 * lines) with R = 1, 3 and 7 and with splits small enough to cut every line, and checks each run
 * against {@link Oracle}, a sequential computation that shares no code with the library.
 */
class ExamplesOracleTest {
  /** Several tasks run at once, as they would on any real machine. */
  private static final int PARALLELISM = 3;
  private static final long DEFAULT = MapReduceSpecification.DEFAULT_SPLIT_SIZE;
  private static final String GREP_REGEX = "(?i)hello|^$|𝒳|\\bthree\\b|é|\t";

  @TempDir
  static Path corpora;

  /** Every edge case, small: with 7-byte splits each byte of it costs a map task. */
  private static Path tiny;
  /** Plus many repeated words and lines of a few kilobytes, for 100-byte splits. */
  private static Path medium;
  /** Plus a line longer than the line reader's 64 KiB buffer, for large splits. */
  private static Path full;

  @TempDir
  Path tmp;

  @BeforeAll
  static void writeCorpora() throws IOException {
    tiny = Files.createDirectories(corpora.resolve("tiny"));
    medium = Files.createDirectories(corpora.resolve("medium"));
    full = Files.createDirectories(corpora.resolve("full"));
    List<Path> all = List.of(tiny, medium, full);
    write(all, "a-crlf.txt", "Hello world\r\nhello World\r\n\r\nthe quick brown fox\r\njumps over the lazy dog\r\n");
    write(all, "b-cr.txt", "one\rtwo two\r\rthree three three\rfour\r");
    write(all, "c-empty.txt", "");
    write(all, "d-no-final-newline.txt", "first line\nsecond line\nlast line, hello, without newline");
    write(all, "e-unicode.txt", """
        𝒳𝒴 café naïve Straße ΑΒΓ αβγ 日本語 ﬁne Ａｂｃ 𝒳𝒴
        combining e\u0301 splits a word; x𝒳y is one word; 𝒳 alone
        don't stop_me 42abc7def 𝒳𝒴𝒳 ﬁ Ａ 𝒳 ￡ ｚ
        café\tcafé\ttab separated
        non-BMP non-letters split words: a𝛁b x😀y z𝟘w; non-BMP letters: 𝞪𝞫𝞬 𐐀𐐨
        ﬁne print: UTF-8 sorts this line before the 𝒳𝒴 line, UTF-16 after it
        Ａｂｃ fullwidth, likewise
        """);
    write(all, "f-mixed-terminators.txt", "a\r\n\rb\n\r\nc\r\r\n\nd\n\r\r\re\r\n");
    write(all, "g-only-crlf.txt", "\r\n");
    write(all, "h-only-cr.txt", "\r");
    write(all, "_hidden.txt", "hidden files are not input: zzhidden\n");
    write(all, ".dot.txt", "nor are dot files: zzdot\n");
    write(List.of(tiny), "i-repeated.txt", repeated(16));
    write(List.of(tiny), "j-long-line.txt", "long " + "𝒳𝒴 lorem, ipsum; ".repeat(12) + "end\n");
    write(List.of(medium, full), "i-repeated.txt", repeated(200));
    write(List.of(medium, full), "j-long-lines.txt", longLines());
    write(List.of(full), "k-huge-line.txt", "huge " + "word𝒳 ".repeat(7_000) + "end\nafter the huge line\n");
  }

  /** Lines of words from a small vocabulary, with every terminator, some lines duplicated. */
  private static String repeated(int lines) {
    String[] vocabulary = {"alpha", "beta", "gamma", "delta", "Alpha", "épée", "𝒳𝒴", "hello"};
    String[] terminators = {"\n", "\n", "\r\n", "\r", "\n"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      int words = 1 + (i * 7) % 9;
      for (int w = 0; w < words; w++) {
        sb.append(vocabulary[(i + w * w) % vocabulary.length]).append(w % 3 == 0 ? ", " : " ");
      }
      sb.append(terminators[i % terminators.length]);
      if (i % 10 == 0) {
        sb.append("a duplicated line\n");
      }
    }
    return sb.toString();
  }

  private static String longLines() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 4; i++) {
      sb.append("long").append(" lorem ipsum dolor sit amet, 𝒳𝒴 consectetur".repeat(i * 10)).append('\n');
    }
    return sb.append("short after long\nlong tail without terminator ").append("tail ".repeat(100)).toString();
  }

  private static void write(List<Path> dirs, String name, String text) throws IOException {
    for (Path dir : dirs) {
      Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The corpus for a split size, so that no run needs more than a few hundred map tasks. */
  private static Path corpus(long splitSize) {
    return splitSize < 100 ? tiny : splitSize < 1000 ? medium : full;
  }

  /** The input lines, as the engine lists a directory: non-hidden files in path order. */
  private static List<Line> linesOf(Path dir) throws IOException {
    List<Line> lines = new ArrayList<>();
    for (Path f : inputFiles(dir)) {
      lines.addAll(Oracle.lines(f, f.toString()));
    }
    return lines;
  }

  private static List<Path> inputFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> !f.getFileName().toString().startsWith("_") && !f.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    }
  }

  static Stream<Arguments> reduceTasksAndSplitSizes() {
    return Stream.of(1, 3, 7).flatMap(r -> splitSizes().map(s -> Arguments.of(r, s)));
  }

  private <K, V> JobResult run(MapReduceSpecification.Builder<K, V> builder, Path output, long splitSize)
      throws Exception {
    MapReduceSpecification<K, V> spec = builder
        .output(output)
        .splitSize(splitSize)
        .parallelism(PARALLELISM)
        .workDirectory(tmp.resolve("work"))
        .build();
    return MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
  }

  /** The checks every run with reducers shares; returns the lines of each output file. */
  private static List<List<String>> checkCommitted(JobResult result, Path output, int r, List<Line> input)
      throws IOException {
    List<List<String>> files = OutputDir.read(output, r);
    assertThat(result.outputFiles()).extracting(u -> Path.of(u).getFileName().toString())
        .containsExactlyElementsOf(IntStream.range(0, r).mapToObj(OutputDir::partName).toList());
    assertThat(result.outputFiles()).extracting(URI::getScheme).containsOnly("file");
    try (Stream<Path> siblings = Files.list(output.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).as("staging leftovers beside the output")
          .noneMatch(n -> n.startsWith("."));
    }
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(input.size());
    assertThat(result.counters().get(Counters.OUTPUT_RECORDS))
        .isEqualTo(files.stream().mapToLong(List::size).sum());
    return files;
  }

  private static List<String> concat(List<List<String>> files) {
    return files.stream().flatMap(List::stream).toList();
  }

  @ParameterizedTest(name = "R={0}, split={1}")
  @MethodSource("reduceTasksAndSplitSizes")
  void wordCount_matchesSequentialOracle(int r, long splitSize) throws Exception {
    Path input = corpus(splitSize);
    List<Line> lines = linesOf(input);
    Path output = tmp.resolve("out");

    JobResult result = run(WordCount.builder().input(input.toString()).reduceTasks(r), output, splitSize);

    List<List<String>> files = checkCommitted(result, output, r, lines);
    OutputDir.assertSortedByKeyAndDisjoint(files, OutputDir::keyOf, Oracle.UTF8, true);
    assertThat(concat(files).stream().sorted(Comparator.comparing(OutputDir::keyOf, Oracle.UTF8)))
        .containsExactlyElementsOf(Oracle.wordCount(lines));
  }

  @ParameterizedTest(name = "R={0}, split={1}")
  @MethodSource("reduceTasksAndSplitSizes")
  void indexer_matchesSequentialOracle(int r, long splitSize) throws Exception {
    Path input = corpus(splitSize);
    List<Line> lines = linesOf(input);
    Path output = tmp.resolve("out");

    JobResult result = run(Indexer.builder().input(input.toString()).reduceTasks(r), output, splitSize);

    List<List<String>> files = checkCommitted(result, output, r, lines);
    OutputDir.assertSortedByKeyAndDisjoint(files, OutputDir::keyOf, Oracle.UTF8, true);
    assertThat(concat(files).stream().sorted(Comparator.comparing(OutputDir::keyOf, Oracle.UTF8)))
        .containsExactlyElementsOf(Oracle.index(lines));
  }

  /** A grep key: the file as listed, then the byte offset. */
  private record Where(String file, long offset) {
    static final Comparator<Where> ORDER = Comparator.comparing(Where::file, Oracle.UTF8)
        .thenComparingLong(Where::offset);

    static Where of(String line) {
      String key = OutputDir.keyOf(line);
      int colon = key.lastIndexOf(':');
      return new Where(key.substring(0, colon), Long.parseLong(key.substring(colon + 1)));
    }
  }

  @ParameterizedTest(name = "R={0}, split={1}")
  @MethodSource("reduceTasksAndSplitSizes")
  void grep_matchesSequentialOracle(int r, long splitSize) throws Exception {
    Path input = corpus(splitSize);
    List<Line> lines = linesOf(input);
    Path output = tmp.resolve("out");

    JobResult result = run(Grep.builder(GREP_REGEX).input(input.toString()).reduceTasks(r), output, splitSize);

    List<List<String>> files = checkCommitted(result, output, r, lines);
    OutputDir.assertSortedByKeyAndDisjoint(files, Where::of, Where.ORDER, true);
    List<String> expected = Oracle.grep(lines, GREP_REGEX);
    assertThat(expected).as("the regex finds lines in several files").hasSizeGreaterThan(20);
    assertThat(concat(files).stream().sorted(Comparator.comparing(Where::of, Where.ORDER)))
        .containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "R={0}, split={1}")
  @MethodSource("reduceTasksAndSplitSizes")
  void sort_concatenatedOutputIsTheWholeInputSortedByUtf8Bytes(int r, long splitSize) throws Exception {
    Path input = corpus(splitSize);
    List<Line> lines = linesOf(input);
    Path output = tmp.resolve("out");

    JobResult result = run(Sort.builder(List.of(input.toString()), r, splitSize), output, splitSize);

    List<List<String>> files = checkCommitted(result, output, r, lines);
    OutputDir.assertSortedByKeyAndDisjoint(files, line -> line, Oracle.UTF8, false);
    assertThat(concat(files)).containsExactlyElementsOf(Oracle.sort(lines));
  }

  @ParameterizedTest(name = "split={0}")
  @MethodSource("splitSizes")
  void wordCount_mapOnly_writesEveryWordWithOneInTheFileOfItsMapTask(long splitSize) throws Exception {
    Path input = corpus(splitSize);
    Path output = tmp.resolve("out");
    // What each map task reads: the lines that start in its split, splits cut file by file.
    List<List<String>> expected = new ArrayList<>();
    for (Path f : inputFiles(input)) {
      long size = Files.size(f);
      List<Line> lines = Oracle.lines(f, f.toString());
      for (long start = 0; start == 0 || start < size; start += splitSize) {
        long from = start;
        expected.add(lines.stream()
            .filter(l -> l.offset() >= from && l.offset() < from + splitSize)
            .flatMap(l -> Oracle.words(l.text()).stream())
            .map(w -> w + "\t1")
            .toList());
      }
    }

    JobResult result = run(WordCount.builder().input(input.toString()).reduceTasks(0), output, splitSize);

    List<List<String>> files = OutputDir.read(output, expected.size());
    assertThat(result.outputFiles()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(files.get(i)).as(OutputDir.partName(i)).containsExactlyElementsOf(expected.get(i));
    }
    assertThat(result.reducePhase()).isZero();
  }

  /** Splits that cut every line, most lines, the huge line only, and none. */
  static Stream<Long> splitSizes() {
    return Stream.of(7L, 100L, 5000L, DEFAULT);
  }

  @Test
  void exec_existingOutputDirectory_failsAndLeavesItUntouched() throws Exception {
    Path output = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(output.resolve("precious.txt"), "keep me");

    var job = MapReduce.exec(WordCount.builder().input(tiny.toString()).output(output)
        .parallelism(PARALLELISM).workDirectory(tmp.resolve("work")).build());

    assertThat(job).failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(MapReduceException.class)
        .withMessageContaining("output directory already exists: " + output);
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("precious.txt");
    }
    assertThat(output.resolve("precious.txt")).hasContent("keep me");
  }

  /** The 6.824 lab's indexer sorts documents as Go sorts strings: by their UTF-8 bytes. */
  @Test
  void indexer_documentsOfAWord_areInUtf8Order() throws Exception {
    List<String> emitted = new ArrayList<>();
    // UTF-16 order would put 𝒳 (a surrogate pair) before ｚ (U+FF5A); UTF-8 order puts it after.
    new Indexer.DocumentListReducer().reduce("word", List.of("𝒳.txt", "ｚ.txt", "b.txt", "a.txt", "ｚ.txt"),
        (k, v) -> emitted.add(k + "\t" + v));

    assertThat(emitted).containsExactly("word\t4 a.txt,b.txt,ｚ.txt,𝒳.txt");
  }
}
