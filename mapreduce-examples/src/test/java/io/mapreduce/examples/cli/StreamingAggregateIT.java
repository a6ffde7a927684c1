package io.mapreduce.examples.cli;

import static io.mapreduce.lib.streaming.StreamingScripts.sortedLines;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mapreduce streaming -reducer aggregate} as Hadoop and EMR users write it, with a python3
 * mapper that prints every aggregator type, embedded and on two worker JVMs: the output equals what
 * this test works out from the generated records itself, with Hadoop's report formats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamingAggregateIT {
  /** Input lines: USER ITEM QTY PRICE (PRICE a multiple of 0.25, so sums are exact in any order). */
  private static final String MAPPER = """
      #!/usr/bin/env python3
      import sys
      for line in sys.stdin:
          user, item, qty, price = line.split()
          print("LongValueSum:orders_%s\\t1" % user)
          print("LongValueSum:qty\\t%s" % qty)
          print("LongValueMax:qty\\t%s" % qty)
          print("LongValueMin:qty\\t%s" % qty)
          print("LongValueMax:maxqty_%s\\t%s" % (user, qty))
          print("DoubleValueSum:spend_%s\\t%s" % (user, price))
          print("StringValueMax:item\\t%s" % item)
          print("StringValueMin:item_%s\\t%s" % (user, item))
          print("UniqValueCount:items_%s\\t%s" % (user, item))
          print("ValueHistogram:items\\t%s" % item)
          print("ValueHistogram:weighted\\t%s\\t%s" % (item, qty))
      """;

  @TempDir static Path tmp;
  private Path input;
  private Path mapper;
  private List<String> expected;

  @BeforeAll
  void setUp() throws IOException {
    input = Files.createDirectories(tmp.resolve("in"));
    mapper = tmp.resolve("mapper.py");
    Files.writeString(mapper, MAPPER);
    Files.setPosixFilePermissions(mapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Random random = new Random(16);
    List<String[]> records = new ArrayList<>();
    for (int file = 0; file < 3; file++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 4000; i++) {
        String[] r = {"u" + random.nextInt(12), "item" + random.nextInt(40), Integer.toString(random.nextInt(200) - 20),
            Double.toString(random.nextInt(4000) / 4.0)};
        records.add(r);
        text.append(String.join(" ", r)).append('\n');
      }
      Files.writeString(input.resolve("part-" + file + ".txt"), text);
    }
    expected = oracle(records);
  }

  /** Hadoop's output for the mapper above, worked out from the records directly. */
  private static List<String> oracle(List<String[]> records) {
    Map<String, Long> orders = new TreeMap<>();
    Map<String, Long> maxQty = new TreeMap<>();
    Map<String, Double> spend = new TreeMap<>();
    Map<String, String> minItem = new TreeMap<>();
    Map<String, Set<String>> items = new TreeMap<>();
    Map<String, Long> itemCounts = new HashMap<>();
    Map<String, Long> weighted = new HashMap<>();
    long qtySum = 0;
    long qtyMax = Long.MIN_VALUE;
    long qtyMin = Long.MAX_VALUE;
    String maxOfItems = null;
    for (String[] r : records) {
      String user = r[0];
      String item = r[1];
      long qty = Long.parseLong(r[2]);
      orders.merge(user, 1L, Long::sum);
      qtySum += qty;
      qtyMax = Math.max(qtyMax, qty);
      qtyMin = Math.min(qtyMin, qty);
      maxQty.merge(user, qty, Math::max);
      spend.merge(user, Double.parseDouble(r[3]), Double::sum);
      maxOfItems = maxOfItems == null || item.compareTo(maxOfItems) > 0 ? item : maxOfItems;
      minItem.merge(user, item, (a, b) -> a.compareTo(b) <= 0 ? a : b);
      items.computeIfAbsent(user, u -> new HashSet<>()).add(item);
      itemCounts.merge(item, 1L, Long::sum);
      weighted.merge(item, qty, Long::sum);
    }
    List<String> lines = new ArrayList<>();
    orders.forEach((u, n) -> lines.add("orders_" + u + "\t" + n));
    lines.add("qty\t" + qtySum);
    lines.add("qty\t" + qtyMax);
    lines.add("qty\t" + qtyMin);
    maxQty.forEach((u, n) -> lines.add("maxqty_" + u + "\t" + n));
    spend.forEach((u, d) -> lines.add("spend_" + u + "\t" + d));
    lines.add("item\t" + maxOfItems);
    minItem.forEach((u, i) -> lines.add("item_" + u + "\t" + i));
    items.forEach((u, s) -> lines.add("items_" + u + "\t" + s.size()));
    lines.add("items\t" + histogram(itemCounts.values()));
    lines.add("weighted\t" + histogram(weighted.values()));
    return sortedLines(String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Hadoop's ValueHistogram report: distinct values, then the least, median (the sorted counts'
   * element n/2), greatest and mean count, and the population standard deviation.
   */
  private static String histogram(java.util.Collection<Long> counts) {
    long[] c = counts.stream().mapToLong(Long::longValue).sorted().toArray();
    double mean = (double) Arrays.stream(c).sum() / c.length;
    double squares = 0;
    for (long x : c) {
      squares += (x - mean) * (x - mean);
    }
    return c.length + "\t" + c[0] + "\t" + c[c.length / 2] + "\t" + c[c.length - 1] + "\t" + mean + "\t"
        + Math.sqrt(squares / c.length);
  }

  private record Run(int code, String err) {}

  private Run run(Path out, String... args) {
    List<String> all = new ArrayList<>(List.of("streaming"));
    all.addAll(List.of(args));
    all.addAll(List.of("-output", out.toString(), "--work-dir", tmp.resolve("work").toString()));
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Run(code, err.toString());
  }

  /** EMR's word-count step shape: -files, -mapper by name, -reducer aggregate, two reduce tasks. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"embedded", "local-workers"})
  void aggregate_hadoopCommandLine_equalsOracle(String where) throws Exception {
    Path out = tmp.resolve("out-" + where);
    List<String> args = new ArrayList<>(List.of("-D", "mapreduce.job.reduces=2", "-files", mapper.toString(),
        "-mapper", "mapper.py", "-reducer", "aggregate", "-input", input.toString(), "--split-size", "64k"));
    if (where.equals("local-workers")) {
      args.addAll(List.of("--local-workers", "2"));
    }
    Run r = run(out, args.toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(StreamingIT.outputLines(out)).isEqualTo(expected);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("part-"))).hasSize(2);
    }
  }

  /** As in Hadoop, aggregate's combiner takes the place of a -combiner; here a warning says so. */
  @Test
  void aggregate_withCombinerGiven_usesAggregatesOwnAndWarns() throws Exception {
    Path out = tmp.resolve("out-combiner");
    Run r = run(out, "-D", "mapreduce.job.reduces=1", "-files", mapper.toString(), "-mapper", "mapper.py",
        "-combiner", "false", "-reducer", "Aggregate", "-input", input.toString());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(StreamingIT.outputLines(out)).isEqualTo(expected);
    assertThat(r.err()).contains("mapreduce streaming: ignoring --combiner false: --reducer aggregate has its own"
        + " combiner (as in Hadoop)");
  }

  /** Hadoop's -D aggregate.max.num.unique.values: UniqValueCount counts at most N + 1 values. */
  @Test
  void aggregate_maxUniqueValues_capsUniqValueCount() throws Exception {
    Path out = tmp.resolve("out-max-unique");
    Run r = run(out, "-D", "aggregate.max.num.unique.values=4", "-D", "mapreduce.job.reduces=1",
        "-files", mapper.toString(), "-mapper", "mapper.py", "-reducer", "aggregate", "-input", input.toString());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> capped = new ArrayList<>();
    for (String line : expected) {
      String[] f = line.split("\t");
      capped.add(f[0].startsWith("items_") ? f[0] + "\t" + Math.min(5, Long.parseLong(f[1])) : line);
    }
    assertThat(StreamingIT.outputLines(out)).isEqualTo(capped).isNotEqualTo(expected);
  }

  @Test
  void aggregate_elsewhereThanTheReducer_orWithSortBy_refusedInOneLine() {
    Run r = run(tmp.resolve("out-refused"), "-mapper", "aggregate", "-input", input.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElseThrow())
        .isEqualTo("mapreduce streaming: -mapper aggregate: Hadoop's Aggregate package is -reducer aggregate");
    r = run(tmp.resolve("out-refused"), "-D", "mapreduce.job.output.key.comparator.class=KeyFieldBasedComparator",
        "-mapper", "cat", "-reducer", "aggregate", "-input", input.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--sort-by is not supported with --reducer aggregate");
    assertThat(tmp.resolve("out-refused")).doesNotExist();
  }

  @Test
  void aggregate_valueNotANumber_failsNamingKeyAndValue() throws Exception {
    Path out = tmp.resolve("out-bad");
    Run r = run(out, "-files", mapper.toString(), "-mapper", "echo 'LongValueSum:n\tseven'", "-reducer", "aggregate",
        "-input", input.resolve("part-0.txt").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("aggregate: key 'LongValueSum:n' has the value 'seven': not a long integer");
    assertThat(out.resolve("_SUCCESS")).doesNotExist();
  }
}
