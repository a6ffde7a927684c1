package io.mapreduce.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.Counters;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.examples.Oracle.Line;
import io.mapreduce.testing.JobHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs top words, timeline, join and average on generated inputs (several files, CRLF, CR and LF
 * line ends, non-ASCII text, malformed lines, ties) with several reduce tasks and splits small
 * enough to cut most lines, and checks each run against {@link Oracle}, which computes the same
 * sequentially with plain Java and shares no code with the examples.
 */
class TypedExamplesOracleTest {
  private static final int PARALLELISM = 3;
  private static final long DEFAULT = MapReduceSpecification.DEFAULT_SPLIT_SIZE;
  /** Line ends, LF most often. */
  private static final String[] ENDS = {"\n", "\r\n", "\n", "\r", "\n"};

  @TempDir
  static Path corpora;

  private static Path words;
  private static Path events;
  private static Path numbers;

  @TempDir
  Path tmp;

  @BeforeAll
  static void writeCorpora() throws IOException {
    words = Files.createDirectories(corpora.resolve("words"));
    events = Files.createDirectories(corpora.resolve("events"));
    numbers = Files.createDirectories(corpora.resolve("numbers"));
    writeWords(new Random(1));
    writeEvents(new Random(2));
    writeNumbers(new Random(3));
  }

  /**
   * Words with set counts at the top, ties among them (zebra, é, ｚ and 𝒳 fifty times each: UTF-8
   * order puts ｚ before 𝒳, UTF-16 order after), and a long tail of words seen one to three times.
   */
  private static void writeWords(Random random) throws IOException {
    List<String> occurrences = new ArrayList<>();
    Map<String, Integer> top = Map.of("the", 60, "zebra", 50, "é", 50, "ｚ", 50, "𝒳", 50, "Straße", 40, "日本語", 40);
    top.forEach((w, n) -> occurrences.addAll(Collections.nCopies(n, w)));
    String[] syllables = {"ka", "lo", "mé", "ßu", "ñi", "𝒴", "ö", "tz", "Ａ", "ri"};
    for (int i = 0; i < 400; i++) {
      String w = syllables[random.nextInt(10)] + syllables[random.nextInt(10)] + syllables[random.nextInt(10)];
      occurrences.addAll(Collections.nCopies(1 + random.nextInt(3), w));
    }
    Collections.shuffle(occurrences, random);
    String[] gaps = {" ", ", ", "; ", " -- ", "\t", "42", " 😀 "};
    writeFiles(words, occurrences, 7, gaps, random);
  }

  /** Spreads tokens over files of lines, {@code perLine} at most per line, with every line end. */
  private static void writeFiles(Path dir, List<String> tokens, int perLine, String[] gaps, Random random)
      throws IOException {
    StringBuilder[] files = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
    int i = 0;
    while (i < tokens.size()) {
      StringBuilder f = files[random.nextInt(files.length)];
      int n = 1 + random.nextInt(perLine);
      for (int j = 0; j < n && i < tokens.size(); j++, i++) {
        f.append(tokens.get(i)).append(gaps[random.nextInt(gaps.length)]);
      }
      f.append(ENDS[random.nextInt(ENDS.length)]);
    }
    for (int f = 0; f < files.length; f++) {
      Files.writeString(dir.resolve("part-" + f + ".txt"), files[f], StandardCharsets.UTF_8);
    }
    Files.writeString(dir.resolve("part-empty.txt"), "");
  }

  /** Events of a few users at few distinct times (many ties), with headers and malformed lines. */
  private static void writeEvents(Random random) throws IOException {
    String[] users = {"ann", "bob", "Zoë", "日本", "𝒳user", "user", "ｚ"};
    String[] names = {"login", "logout", "buy", "view", "é-mail", "𝒳-search", "ｚoom", "Buy", "user"};
    String[] malformed = {"ann,5", "ann,5,buy,extra", ",5,buy", "ann,,buy", "ann,5,", "ann,five,buy",
        "ann,99999999999999999999,buy", "just text", "user,time,event"};
    for (int f = 0; f < 4; f++) {
      StringBuilder sb = new StringBuilder();
      String end = f == 1 ? "\r\n" : "\n";
      if (f != 2) {
        sb.append("user,epochMillis,event").append(end);
      }
      for (int i = 0; i < 150; i++) {
        int kind = random.nextInt(20);
        if (kind == 0) {
          sb.append(malformed[random.nextInt(malformed.length)]);
        } else if (kind == 1) {
          sb.append(random.nextBoolean() ? "" : "  \t");
        } else {
          long time = (random.nextInt(12) - 2) * 1_000L + (f == 3 ? 1_700_000_000_000L : 0);
          sb.append(users[random.nextInt(users.length)]).append(',').append(time).append(',')
              .append(names[random.nextInt(names.length)]);
        }
        sb.append(end);
      }
      Files.writeString(events.resolve("events-" + f + ".csv"), sb, StandardCharsets.UTF_8);
    }
    Files.writeString(events.resolve("events-empty.csv"), "");
  }

  /** {@code key value} lines, whitespace of every kind around, some malformed. */
  private static void writeNumbers(Random random) throws IOException {
    String[] keys = {"a", "b", "Straße", "日本", "𝒳", "ｚ", "key-with-dash", "x\u00a0y"};
    String[] malformed = {"onlyone", "a 1 2", "a 1.5", "a x", "a 99999999999999999999", "3"};
    String[] spaces = {" ", "\t", "  \t ", "\u000b", "\f"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      int kind = random.nextInt(25);
      if (kind == 0) {
        lines.add(malformed[random.nextInt(malformed.length)]);
      } else if (kind == 1) {
        lines.add(random.nextBoolean() ? "" : " \t ");
      } else {
        long value = random.nextInt(5) == 0 ? random.nextLong() >> 20 : random.nextInt(2001) - 1000;
        lines.add((random.nextBoolean() ? "" : spaces[random.nextInt(spaces.length)])
            + keys[random.nextInt(keys.length)] + spaces[random.nextInt(spaces.length)] + value
            + (random.nextBoolean() ? "" : spaces[random.nextInt(spaces.length)]));
      }
    }
    writeFiles(numbers, lines, 1, new String[] {""}, random);
  }

  /** The input lines, as the engine lists a directory: non-hidden files in path order. */
  private static List<Line> linesOf(Path dir) throws IOException {
    List<Line> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("_")
          && !f.getFileName().toString().startsWith(".")).sorted().toList()) {
        lines.addAll(Oracle.lines(f, f.toString()));
      }
    }
    return lines;
  }

  private <K, V> MapReduceSpecification.Builder<K, V> common(MapReduceSpecification.Builder<K, V> b, long splitSize) {
    return b.splitSize(splitSize).parallelism(PARALLELISM).workDirectory(tmp.resolve("work"));
  }

  private static List<String> concat(List<List<String>> files) {
    return files.stream().flatMap(List::stream).toList();
  }

  static Stream<Arguments> reduceTasksAndSplitSizes() {
    return Stream.of(1, 3, 7).flatMap(r -> Stream.of(Arguments.of(r, 50L), Arguments.of(r, DEFAULT)));
  }

  // ---- top words ---------------------------------------------------------------------------

  private JobResult topWords(Path input, int k, int r, long splitSize) throws Exception {
    var counts = common(TopWords.countsBuilder(), splitSize).input(input.toString())
        .output(tmp.resolve("top.counts")).reduceTasks(r).build();
    var top = common(TopWords.builder(counts, k), splitSize).output(tmp.resolve("top")).build();
    return TopWords.run(counts, top);
  }

  static Stream<Arguments> topsReduceTasksAndSplitSizes() {
    return Stream.of(1, 4, 10, 1000).flatMap(k -> reduceTasksAndSplitSizes().map(a -> Arguments.of(k, a.get()[0],
        a.get()[1])));
  }

  @ParameterizedTest(name = "K={0}, R={1}, split={2}")
  @MethodSource("topsReduceTasksAndSplitSizes")
  void topWords_matchesSequentialOracle_andRemovesTheCounts(int k, int r, long splitSize) throws Exception {
    List<Line> lines = linesOf(words);

    JobResult result = topWords(words, k, r, splitSize);

    List<String> expected = Oracle.topWords(lines, k);
    assertThat(OutputDir.read(tmp.resolve("top"), 1).get(0)).containsExactlyElementsOf(expected);
    assertThat(result.counters().get(Counters.OUTPUT_RECORDS)).isEqualTo(expected.size());
    assertThat(tmp.resolve("top.counts")).doesNotExist();
  }

  /** Ties by the words' UTF-8 bytes: ｚ (EF BD 9A) before 𝒳 (F0 9D 92 B3), though UTF-16 says otherwise. */
  @Test
  void topWords_tiesCutByK_keepTheFirstWordsInUtf8Order() throws Exception {
    topWords(words, 4, 3, 50);

    assertThat(OutputDir.read(tmp.resolve("top"), 1).get(0))
        .containsExactly("60\tthe", "50\tzebra", "50\té", "50\tｚ");
  }

  @Test
  void topWords_secondJobFails_countsRemovedAnyway() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("not-a-directory"), "a file where the output's parent should be");
    var counts = common(TopWords.countsBuilder(), DEFAULT).input(words.toString())
        .output(tmp.resolve("top.counts")).build();
    var top = common(TopWords.builder(counts, 3), DEFAULT).output(blocker.resolve("top")).build();

    assertThatThrownBy(() -> TopWords.run(counts, top)).isInstanceOf(ExecutionException.class);
    assertThat(tmp.resolve("top.counts")).doesNotExist();
  }

  @Test
  void topWords_countsDirectoryExists_firstJobFailsAndLeavesItUntouched() throws Exception {
    Path mine = Files.createDirectories(tmp.resolve("top.counts"));
    Files.writeString(mine.resolve("keep.txt"), "precious");

    assertThatThrownBy(() -> topWords(words, 3, 1, DEFAULT)).isInstanceOf(ExecutionException.class)
        .cause().hasMessageContaining("output directory already exists: " + mine);
    assertThat(mine.resolve("keep.txt")).hasContent("precious");
    assertThat(tmp.resolve("top")).doesNotExist();
  }

  @Test
  void topWords_outputExists_refusedBeforeTheWordCount() throws IOException {
    Files.createDirectories(tmp.resolve("top"));

    assertThatThrownBy(() -> topWords(words, 3, 1, DEFAULT)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("output directory already exists: " + tmp.resolve("top"));
    assertThat(tmp.resolve("top.counts")).doesNotExist();
    assertThat(tmp.resolve("work/jobs")).doesNotExist();
  }

  @Test
  void topWords_emptyInput_writesAnEmptyFile() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("nothing.txt"), "12 -- 34\n");

    topWords(empty, 5, 2, DEFAULT);

    assertThat(OutputDir.read(tmp.resolve("top"), 1).get(0)).isEmpty();
  }

  // ---- timeline ----------------------------------------------------------------------------

  static Stream<Arguments> orderReduceTasksAndSplitSizes() {
    return Stream.of(false, true).flatMap(n -> reduceTasksAndSplitSizes().map(a -> Arguments.of(n, a.get()[0],
        a.get()[1])));
  }

  @ParameterizedTest(name = "newestFirst={0}, R={1}, split={2}")
  @MethodSource("orderReduceTasksAndSplitSizes")
  void timeline_matchesSequentialOracle(boolean newestFirst, int r, long splitSize) throws Exception {
    List<Line> lines = linesOf(events);
    Path output = tmp.resolve("out");
    var builder = newestFirst ? Timeline.newestFirstBuilder() : Timeline.builder();

    JobResult result = MapReduce.exec(common(builder, splitSize).input(events.toString()).output(output)
        .reduceTasks(r).build()).get(60, TimeUnit.SECONDS);

    Oracle.Result expected = Oracle.timeline(lines, newestFirst);
    List<List<String>> files = OutputDir.read(output, r);
    OutputDir.assertSortedByKeyAndDisjoint(files, OutputDir::keyOf, Oracle.UTF8, true);
    assertThat(concat(files).stream().sorted(Comparator.comparing(OutputDir::keyOf, Oracle.UTF8)))
        .containsExactlyElementsOf(expected.lines());
    assertThat(expected.malformed()).isGreaterThan(5);
    assertThat(result.counters().get(Timeline.MALFORMED)).isEqualTo(expected.malformed());
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(lines.size());
  }

  @Test
  void timeline_sameTime_eventsInUtf8OrderOfTheirText() {
    List<Map.Entry<String, String>> out = JobHarness.runOnLines(Timeline.builder(),
        List.of("u,5,𝒳", "u,5,ｚ", "u,1,z", "u,5,b", "u,9,a"));

    assertThat(out).containsExactly(Map.entry("u", "z,b,ｚ,𝒳,a"));
  }

  // ---- join --------------------------------------------------------------------------------

  /**
   * Users ({@code id<SEP>name<SEP>city}) in a directory and orders ({@code user_id<SEP>amount<SEP>name}) in
   * files a glob matches plus one named file; ids on one side only, ids on several rows of both
   * sides, headers, blank lines, rows without a third column, CRLF in some files.
   */
  private static Path writeJoinInputs(Path root, String sep, Random random) throws IOException {
    String[] names = {"ann", "bob", "Zoë", "日本", "𝒳", "ｚ", ""};
    Path users = Files.createDirectories(root.resolve("users"));
    Path orders = Files.createDirectories(root.resolve("orders"));
    for (int f = 0; f < 3; f++) {
      StringBuilder u = new StringBuilder("id" + sep + "name" + sep + "city\n");
      StringBuilder o = new StringBuilder("user_id" + sep + "amount" + sep + "name\r\n");
      for (int i = 0; i < 40; i++) {
        int id = random.nextInt(60);
        String end = f == 1 ? "\r\n" : "\n";
        u.append(i % 13 == 5 ? "" : i % 17 == 3 ? id + sep + "short" : id + sep + names[random.nextInt(names.length)]
            + sep + "city" + random.nextInt(3)).append(end);
        o.append(random.nextInt(70) + 10).append(sep).append(random.nextInt(1000));
        if (i % 19 != 7) {
          o.append(sep).append(names[random.nextInt(names.length)]);
        }
        o.append(i % 11 == 0 ? "\r\n" : end);
      }
      Files.writeString(users.resolve("users-" + f + ".csv"), u, StandardCharsets.UTF_8);
      Files.writeString(orders.resolve("orders-" + f + ".csv"), o, StandardCharsets.UTF_8);
    }
    Files.writeString(users.resolve("_hidden.csv"), "1" + sep + "hidden" + sep + "nowhere\n");
    Files.writeString(orders.resolve("notes.txt"), "1" + sep + "not an order, the glob leaves it out\n");
    Files.writeString(root.resolve("more-orders.csv"), "1" + sep + "5" + sep + "ann\n2" + sep + "6" + sep + "𝒳");
    return root;
  }

  static Stream<Arguments> joins() {
    return Stream.of(Arguments.of(",", 1, 1), Arguments.of(",", 2, 3), Arguments.of("::", 1, 1))
        .flatMap(a -> Stream.of(1, 3).flatMap(r -> Stream.of(40L, DEFAULT).map(split -> Arguments.of(a.get()[0],
            a.get()[1], a.get()[2], r, split))));
  }

  @ParameterizedTest(name = "sep={0}, columns {1} and {2}, R={3}, split={4}")
  @MethodSource("joins")
  void join_matchesSequentialOracle(String sep, int leftColumn, int rightColumn, int r, long splitSize)
      throws Exception {
    Path root = writeJoinInputs(tmp.resolve("in"), sep, new Random(4));
    // A directory (spelled with ./ and a trailing slash), a glob and a file.
    List<String> left = List.of(root + "/./users/");
    List<String> right = List.of(root + "/orders/orders-*.csv", root + "/more-orders.csv");
    List<Line> leftLines = linesOf(root.resolve("users"));
    List<Line> rightLines = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      rightLines.addAll(Oracle.lines(root.resolve("orders/orders-" + f + ".csv"), "orders"));
    }
    rightLines.addAll(Oracle.lines(root.resolve("more-orders.csv"), "more"));
    Path output = tmp.resolve("out");

    JobResult result = MapReduce.exec(common(Join.builder(left, right, leftColumn, rightColumn, sep), splitSize)
        .output(output).reduceTasks(r).build()).get(60, TimeUnit.SECONDS);

    Oracle.JoinResult expected = Oracle.join(leftLines, rightLines, leftColumn, rightColumn, sep);
    assertThat(expected.matched()).hasSizeGreaterThan(20);
    assertThat(expected.unmatched()).hasSizeGreaterThan(5);
    List<List<String>> main = new ArrayList<>();
    List<List<String>> unmatched = new ArrayList<>();
    try (Stream<Path> files = Files.list(output)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        assertThat(name).matches("_SUCCESS|mr-out-0000[0-" + (r - 1) + "]|unmatched-0000[0-" + (r - 1) + "]");
        (name.startsWith("mr-out") ? main : name.startsWith("unmatched") ? unmatched : new ArrayList<List<String>>())
            .add(OutputDir.lines(f));
      }
    }
    assertThat(main).hasSize(r);
    OutputDir.assertSortedByKeyAndDisjoint(main, OutputDir::keyOf, Oracle.UTF8, false);
    OutputDir.assertSortedByKeyAndDisjoint(unmatched, OutputDir::keyOf, Oracle.UTF8, false);
    assertThat(concat(main).stream().sorted(Oracle.UTF8)).containsExactlyElementsOf(expected.matched());
    assertThat(concat(unmatched).stream().sorted(Oracle.UTF8)).containsExactlyElementsOf(expected.unmatched());
    assertThat(result.outputFiles()).hasSize(r);
    assertThat(result.counters().get(Join.MALFORMED)).isEqualTo(expected.malformed());
    if (leftColumn == 2) {
      assertThat(expected.malformed()).as("short rows for column 3").isPositive();
    }
  }

  @Test
  void join_sideOfAFile_followsHowInputsAreListed() {
    List<String> left = List.of("data/users", "more/u-*.csv");
    List<String> right = List.of("./data/orders.csv", "/abs/orders/", "s3://b/o/", "glob/*");

    assertThat(Join.sideOf("data/users/a.csv", left, right)).isEqualTo(Join.Side.LEFT);
    // A cluster's client ships relative inputs absolute: its workers list absolute paths.
    assertThat(Join.sideOf(Path.of("data/users/a.csv").toAbsolutePath().toString(), left, right))
        .isEqualTo(Join.Side.LEFT);
    assertThat(Join.sideOf("more/u-1.csv", left, right)).isEqualTo(Join.Side.LEFT);
    assertThat(Join.sideOf("data/orders.csv", left, right)).isEqualTo(Join.Side.RIGHT);
    assertThat(Join.sideOf("/abs/orders/x", left, right)).isEqualTo(Join.Side.RIGHT);
    assertThat(Join.sideOf("file:///abs/orders/x", left, right)).isEqualTo(Join.Side.RIGHT);
    assertThat(Join.sideOf("s3://b/o/part-0", left, right)).isEqualTo(Join.Side.RIGHT);
    // A glob that matches a directory means its files, as a directory does.
    assertThat(Join.sideOf("glob/sub/x.csv", left, right)).isEqualTo(Join.Side.RIGHT);
    // Files deeper down are not a directory input's.
    assertThatThrownBy(() -> Join.sideOf("data/users/deeper/a.csv", left, right))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is neither a left input");
    assertThatThrownBy(() -> Join.sideOf("data/users/a.csv", left, List.of("data/users/a.csv")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data/users/a.csv is both a left input");
  }

  @Test
  void join_aFileOnBothSides_failsTheJobNamingIt() throws IOException {
    Path root = writeJoinInputs(tmp.resolve("in"), ",", new Random(5));
    String file = root.resolve("users/users-0.csv").toString();

    var job = MapReduce.exec(common(Join.builder(List.of(root.resolve("users").toString()), List.of(file), 1, 1,
        ","), DEFAULT).output(tmp.resolve("out")).maxTaskAttempts(1).build());

    assertThat(job).failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingRootCause().withMessageContaining(file + " is both a left input");
  }

  // ---- average -----------------------------------------------------------------------------

  @ParameterizedTest(name = "R={0}, split={1}")
  @MethodSource("reduceTasksAndSplitSizes")
  void average_matchesSequentialOracle(int r, long splitSize) throws Exception {
    List<Line> lines = linesOf(numbers);
    Path output = tmp.resolve("out");

    JobResult result = MapReduce.exec(common(Average.builder(), splitSize).input(numbers.toString()).output(output)
        .reduceTasks(r).build()).get(60, TimeUnit.SECONDS);

    Oracle.Result expected = Oracle.average(lines);
    List<List<String>> files = OutputDir.read(output, r);
    OutputDir.assertSortedByKeyAndDisjoint(files, OutputDir::keyOf, Oracle.UTF8, true);
    assertThat(concat(files).stream().sorted(Comparator.comparing(OutputDir::keyOf, Oracle.UTF8)))
        .containsExactlyElementsOf(expected.lines());
    assertThat(expected.malformed()).isGreaterThan(5);
    assertThat(result.counters().get(Average.MALFORMED)).isEqualTo(expected.malformed());
    assertThat(result.counters().get(Counters.COMBINE_INPUT_RECORDS)).as("the combiner ran").isPositive();
  }

  @Test
  void average_inMemory_typedMeans() {
    List<Map.Entry<String, Double>> out = JobHarness.runOnLines(Average.builder().reduceTasks(2),
        List.of("a 1", "b 7", "a 2", "  a\t4  ", "b x"));

    assertThat(out).containsExactlyInAnyOrder(Map.entry("a", 7 / 3.0), Map.entry("b", 7.0));
  }

  @Test
  void average_sumBeyondLong_failsTheJobInsteadOfWrapping() throws IOException {
    Path in = Files.writeString(tmp.resolve("big.txt"), "k " + Long.MAX_VALUE + "\nk " + Long.MAX_VALUE + "\n");

    var job = MapReduce.exec(common(Average.builder(), DEFAULT).input(in.toString()).output(tmp.resolve("out"))
        .maxTaskAttempts(1).build());

    assertThat(job).failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingRootCause().isInstanceOf(ArithmeticException.class);
  }
}
