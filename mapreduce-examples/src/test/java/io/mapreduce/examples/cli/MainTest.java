package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line in this JVM, through {@code Main.run(out, err, args)}: exit codes (0 success,
 * 1 the job failed, 2 bad arguments) and what each prints where.
 */
class MainTest {
  @TempDir
  Path tmp;

  private Path docs;
  private Path output;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void writeInput() throws IOException {
    docs = Files.createDirectories(tmp.resolve("docs"));
    Files.write(docs.resolve("one.txt"), "the cat\r\nthe hat\n".getBytes(StandardCharsets.UTF_8));
    Files.write(docs.resolve("two.txt"), "The cat sat\rzebra".getBytes(StandardCharsets.UTF_8));
    output = tmp.resolve("out");
  }

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  /** The usual arguments of a job command, then any extra ones. */
  private String[] job(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "--input", docs.toString(), "--output", output.toString(),
        "--parallelism", "2", "--work-dir", tmp.resolve("work").toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** The lines of every output file, in file order. */
  private List<String> outputLines(int files) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      lines.addAll(Files.readAllLines(output.resolve(String.format("mr-out-%05d", i))));
    }
    try (Stream<Path> list = Files.list(output)) {
      assertThat(list).hasSize(files + 1);
    }
    assertThat(output.resolve("_SUCCESS")).isEmptyFile();
    return lines;
  }

  private List<String> errLines() {
    return err.toString().lines().toList();
  }

  static Stream<Arguments> commandsAndOutputs() {
    return Stream.of(
        Arguments.of("wordcount", List.of(), List.of("The\t1", "cat\t2", "hat\t1", "sat\t1", "the\t2", "zebra\t1")),
        Arguments.of("indexer", List.of(), List.of("The\t1 two.txt", "cat\t2 one.txt,two.txt", "hat\t1 one.txt",
            "sat\t1 two.txt", "the\t1 one.txt", "zebra\t1 two.txt")),
        Arguments.of("grep", List.of("--pattern", "c.t"), List.of("{docs}/one.txt:0\tthe cat",
            "{docs}/two.txt:0\tThe cat sat")),
        Arguments.of("sort", List.of(), List.of("The cat sat", "the cat", "the hat", "zebra")),
        Arguments.of("topwords", List.of("--top", "3"), List.of("2\tcat", "2\tthe", "1\tThe")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commandsAndOutputs")
  void command_validArguments_exitsZeroWritesOutputAndSummary(String command, List<String> extra,
      List<String> expected) throws IOException {
    List<String> args = new ArrayList<>(extra);
    args.addAll(List.of("--reduce-tasks", "1"));

    int code = run(job(command, args.toArray(String[]::new)));

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(outputLines(1)).containsExactlyElementsOf(
        expected.stream().map(l -> l.replace("{docs}", docs.toString())).toList());
    assertThat(out.toString()).contains("succeeded: 1 output file in " + output);
    assertThat(err.toString()).doesNotContain("failed");
  }

  @Test
  void sort_threeReduceTasksAndTinySplits_concatenatedOutputIsSorted() throws IOException {
    int code = run(job("sort", "--reduce-tasks", "3", "--split-size", "4"));

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(outputLines(3)).containsExactly("The cat sat", "the cat", "the hat", "zebra");
    assertThat(out.toString()).contains("succeeded: 3 output files in " + output);
  }

  @Test
  void wordcount_mapOnly_writesOneFilePerSplit() throws IOException {
    // one.txt (17 bytes) is two 10-byte splits, both its lines starting in the first; two.txt (17
    // bytes) is two more, "zebra" starting at 12 in the second.
    int code = run(job("wordcount", "--reduce-tasks", "0", "--split-size", "10"));

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(outputLines(4)).containsExactly("the\t1", "cat\t1", "the\t1", "hat\t1", "The\t1", "cat\t1",
        "sat\t1", "zebra\t1");
  }

  @Test
  void wordcount_nlinesInputAndGzipOutput_oneTaskPerLineAndCompressedFiles() throws IOException {
    int code = run(job("wordcount", "--reduce-tasks", "0", "--input-format", "nlines:1", "--output-format", "gzip"));

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    // one.txt has 2 lines, two.txt 2 (\r ends "The cat sat"): four map tasks, four gzipped files.
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(output.resolve(
          String.format("mr-out-%05d.gz", i))))) {
        lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
      }
    }
    assertThat(lines).containsExactly("the\t1", "cat\t1", "the\t1", "hat\t1", "The\t1", "cat\t1", "sat\t1",
        "zebra\t1");
    assertThat(output.resolve("mr-out-00004.gz")).doesNotExist();
  }

  @Test
  void wordcount_combinedInputLazyPairsOutput_readBackTyped() throws IOException {
    int code = run(job("wordcount", "--reduce-tasks", "4", "--input-format", "combined", "--output-format", "pairs",
        "--lazy-output"));

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    io.mapreduce.format.Pairs.forEach(output.toString(), String.class, Long.class, counts::put);
    assertThat(counts).containsExactly(java.util.Map.entry("The", 1L), java.util.Map.entry("cat", 2L),
        java.util.Map.entry("hat", 1L), java.util.Map.entry("sat", 1L), java.util.Map.entry("the", 2L),
        java.util.Map.entry("zebra", 1L));
  }

  @Test
  void topwords_twoChainedJobs_writeTheTopAndRemoveTheCounts() throws IOException {
    int code = run(job("topwords", "--top", "4", "--reduce-tasks", "2", "--split-size", "5"));

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    // Ties in the UTF-8 order of the words: The, hat, sat, zebra.
    assertThat(outputLines(1)).containsExactly("2\tcat", "2\tthe", "1\tThe", "1\that");
    assertThat(Path.of(output + ".counts")).doesNotExist();
    assertThat(out.toString()).contains("succeeded: 2 output files in " + output + ".counts",
        "succeeded: 1 output file in " + output);
  }

  @Test
  void topwords_countsDirectoryExists_exitsOneAndLeavesItUntouched() throws IOException {
    Path counts = Files.createDirectories(Path.of(output + ".counts"));
    Files.writeString(counts.resolve("keep.txt"), "precious");

    int code = run(job("topwords"));

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(1);
    assertThat(errLines()).containsExactly("mapreduce: job failed: output directory already exists: " + counts
        + " (remove it or choose another; it was not touched)");
    assertThat(counts.resolve("keep.txt")).hasContent("precious");
    assertThat(output).doesNotExist();
  }

  @Test
  void timeline_newestFirst_oneLinePerUserEventsByTime() throws IOException {
    Path csv = Files.writeString(tmp.resolve("events.csv"),
        "user,epochMillis,event\r\nann,5,login\r\nbob,3,view\r\nann,9,buy\r\nann,5,é\r\nbroken\r\n");

    int code = run("timeline", "--input", csv.toString(), "--output", output.toString(), "--newest-first",
        "--reduce-tasks", "2", "--work-dir", tmp.resolve("work").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(outputLines(2)).containsExactlyInAnyOrder("ann\tbuy,login,é", "bob\tview");
    assertThat(out.toString()).containsPattern("timeline.malformed +1\n");
  }

  @Test
  void join_usersAndOrders_matchesInOutputAndTheRestInUnmatched() throws IOException {
    Path users = Files.writeString(tmp.resolve("users.csv"), "1;ann\n2;bob\n3;cy\n");
    Path orders = Files.writeString(tmp.resolve("orders.csv"), "x;10;1\r\nx;20;1\r\ny;5;2\r\nz;7;4\r\n");

    int code = run("join", "--left", users.toString(), "--right", orders.toString(), "--right-key-column", "3",
        "--separator", ";", "--output", output.toString(), "--work-dir", tmp.resolve("work").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    try (Stream<Path> list = Files.list(output)) {
      assertThat(list.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("_SUCCESS", "mr-out-00000", "unmatched-00000");
    }
    assertThat(Files.readAllLines(output.resolve("mr-out-00000")))
        .containsExactlyInAnyOrder("1\tann\tx;10", "1\tann\tx;20", "2\tbob\ty;5");
    assertThat(Files.readAllLines(output.resolve("unmatched-00000"))).containsExactly("3\tleft\tcy", "4\tright\tz;7");
  }

  @Test
  void average_meansOfKeys() throws IOException {
    Path numbers = Files.writeString(tmp.resolve("numbers.txt"), "a 1\r\nb\t2\n a 2 \nnot a number\n");

    int code = run("average", "--input", numbers.toString(), "--output", output.toString(),
        "--work-dir", tmp.resolve("work").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(outputLines(1)).containsExactly("a\t1.5", "b\t2.0");
    assertThat(out.toString()).containsPattern("average.malformed +1\n");
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--input-format", "nlines:0"),
            "mapreduce wordcount", "'nlines:0' is not an input format of lines (text, combined, nlines:N with N > 0)"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--output-format", "csv"),
            "mapreduce wordcount", "'csv' is not an output format (text, gzip, zstd, pairs)"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--bogus"), "mapreduce wordcount",
            "Unknown option: '--bogus'"),
        Arguments.of(List.of("wordcount", "--output", "y"), "mapreduce wordcount",
            "Missing required option: '--input=PATH'"),
        Arguments.of(List.of("indexer", "--input", "x"), "mapreduce indexer",
            "Missing required option: '--output=DIR'"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--split-size", "banana"),
            "mapreduce wordcount", "'banana' is not a size"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--split-size", "0"),
            "mapreduce wordcount", "splitSize must be positive"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--reduce-tasks", "-1"),
            "mapreduce wordcount", "reduceTasks must be between 0 and 99999 but was -1"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--reduce-tasks", "many"),
            "mapreduce wordcount", "'many' is not an int"),
        Arguments.of(List.of("sort", "--input", "x", "--output", "y", "--reduce-tasks", "-1"),
            "mapreduce sort", "reduceTasks must be between 0 and 99999 but was -1"),
        Arguments.of(List.of("sort", "--input", "x", "--output", "y", "--reduce-tasks", "0"),
            "mapreduce sort", "reduceTasks must be positive but was 0"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--parallelism", "0"),
            "mapreduce wordcount", "parallelism must be positive but was 0"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--sort-buffer", "1k"),
            "mapreduce wordcount", "sortBufferSize must be between 64 KiB and 1 GiB"),
        Arguments.of(List.of("grep", "--input", "x", "--output", "y", "--pattern", "(unclosed"),
            "mapreduce grep", "--pattern: Unclosed group near index 9 of '(unclosed'"),
        Arguments.of(List.of("grep", "--input", "x", "--output", "y"), "mapreduce grep",
            "Missing required option: '--pattern=REGEX'"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--cluster", "nohost"),
            "mapreduce wordcount", "--cluster nohost: no cluster named 'nohost' was launched from here"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--cluster", "a:b:c"),
            "mapreduce wordcount", "cluster must be HOST:PORT but was 'a:b:c'"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--cluster", "h:1", "--local-workers", "2"),
            "mapreduce wordcount", "--cluster and --local-workers exclude each other"),
        Arguments.of(List.of("wordcount", "--input", "x", "--output", "y", "--local-workers", "0"),
            "mapreduce wordcount", "--local-workers must be at least 1 but was 0"),
        Arguments.of(List.of("worker", "--master", "nohost"), "mapreduce worker",
            "--master must be HOST:PORT but was 'nohost'"),
        Arguments.of(List.of("master", "--scheduler", "random"), "mapreduce master",
            "unknown scheduler 'random': expected card-dealing, pairwise or load-aware"),
        Arguments.of(List.of("topwords", "--input", "x", "--output", "y", "--top", "0"), "mapreduce topwords",
            "--top must be at least 1 but was 0"),
        Arguments.of(List.of("topwords", "--input", "x", "--output", "s3://bucket/top"), "mapreduce topwords",
            "the word counts of topwords must go to a local directory"),
        Arguments.of(List.of("timeline", "--input", "x", "--output", "y", "--reduce-tasks", "0"),
            "mapreduce timeline", "timeline needs at least one reduce task, but --reduce-tasks is 0"),
        Arguments.of(List.of("join", "--left", "x", "--right", "./x", "--output", "y"), "mapreduce join",
            "'x' is both a left and a right input"),
        Arguments.of(List.of("join", "--left", "x", "--output", "y"), "mapreduce join",
            "Missing required option: '--right=PATH'"),
        Arguments.of(List.of("join", "--left", "x", "--right", "y", "--output", "z", "--left-key-column", "0"),
            "mapreduce join", "key columns count from 1 but were 0 (left) and 1 (right)"),
        Arguments.of(List.of("average", "--input", "x", "--output", "y", "--reduce-tasks", "0"),
            "mapreduce average", "average needs at least one reduce task"),
        Arguments.of(List.of(), "mapreduce", "missing command: wordcount, indexer, grep, sort, topwords, timeline, join,"
            + " average, streaming, master, worker or secret"),
        Arguments.of(List.of("frobnicate"), "mapreduce", "Unmatched argument at index 0: 'frobnicate'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badArguments")
  void badArguments_exitTwoWithOneLineErrorAndUsageHint(List<String> args, String command, String message) {
    int code = run(args.toArray(String[]::new));

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(2);
    assertThat(errLines()).hasSize(2);
    assertThat(errLines().get(0)).startsWith(command + ": ").contains(message);
    assertThat(errLines().get(1)).isEqualTo("Try '" + command + " --help' for more information.");
    assertThat(out.toString()).isEmpty();
  }

  /** Sort samples its input before the builder checks the split size: a zero split must not hang it. */
  @Test
  @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void sort_zeroSplitSize_exitsTwo() {
    int code = run(job("sort", "--reduce-tasks", "3", "--split-size", "0"));

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(2);
    assertThat(errLines().get(0)).startsWith("mapreduce sort: ").contains("splitSize must be positive but was 0");
    assertThat(output).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"wordcount", "indexer", "grep", "sort", "topwords", "timeline", "average"})
  void outputExists_exitsOneWithOneLineCauseAndLeavesItUntouched(String command) throws IOException {
    Files.createDirectories(output);
    Files.writeString(output.resolve("keep.txt"), "precious");

    int code = run(jobArgs(command, "--reduce-tasks", "3"));

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(1);
    assertThat(errLines()).containsExactly("mapreduce: job failed: output directory already exists: " + output
        + " (remove it or choose another; it was not touched)");
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files).containsExactly(output.resolve("keep.txt"));
    }
    assertThat(output.resolve("keep.txt")).hasContent("precious");
    assertThat(out.toString()).isEmpty();
  }

  /** The usual arguments, with grep's pattern when the command is grep. */
  private String[] jobArgs(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(extra));
    if (command.equals("grep")) {
      args.addAll(List.of("--pattern", "cat"));
    }
    return job(command, args.toArray(String[]::new));
  }

  /** Sort with R &gt; 1 samples its input before the job starts: a different path to the same error. */
  @ParameterizedTest(name = "{0} R={1}")
  @MethodSource("commandsAndReduceTasks")
  void inputMissing_exitsOneWithOneLineNamingTheInput(String command, int reduceTasks) {
    String missing = tmp.resolve("no-such-input.txt").toString();
    List<String> args = new ArrayList<>(List.of(jobArgs(command, "--reduce-tasks", String.valueOf(reduceTasks))));
    args.addAll(List.of("--input", missing));

    int code = run(args.toArray(String[]::new));

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(1);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().get(0)).startsWith("mapreduce: ").contains(missing).contains("not found");
    assertThat(output).doesNotExist();
  }

  static Stream<Arguments> commandsAndReduceTasks() {
    return Stream.of(Arguments.of("wordcount", 1), Arguments.of("indexer", 2), Arguments.of("grep", 1),
        Arguments.of("sort", 1), Arguments.of("sort", 3), Arguments.of("topwords", 2), Arguments.of("timeline", 2),
        Arguments.of("average", 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"wordcount", "indexer", "grep", "sort", "topwords", "timeline", "join", "average"})
  void help_ofEachCommand_exitsZeroAndPrintsUsage(String command) {
    int code = run(command, "--help");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("Usage: mapreduce " + command).contains(command.equals("join") ? "--left"
        : "--input").contains("--output").contains("--reduce-tasks").contains("--split-size");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void help_ofTheCommandLine_listsTheCommands() {
    int code = run("--help");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("wordcount", "indexer", "grep", "sort", "topwords", "timeline", "join",
        "average");
  }

  @Test
  void version_exitsZero() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).contains("mapreduce 0.1.0");
  }
}
