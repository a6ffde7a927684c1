package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decreasing order and secondary sort (grouping by a prefix of a record key), on the embedded
 * engine, against oracles sorted here with comparators.
 */
class SortAndGroupTest {
  @TempDir Path dir;
  Path input;
  Path work;

  @BeforeEach
  void createDirectories() throws IOException {
    input = Files.createDirectories(dir.resolve("input"));
    work = Files.createDirectories(dir.resolve("work"));
  }

  private static List<String> fileLines(Path f) throws IOException {
    return Files.readAllLines(f, StandardCharsets.UTF_8);
  }

  private static List<Path> outputFiles(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(p -> p.getFileName().toString().startsWith("mr-out-")).sorted().toList();
    }
  }

  private static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void sortDescending_stringKeys_eachFileInDecreasingUtf8Order() throws Exception {
    String[] words = {"a", "ab", "abc", "b", "", "é", "z", "za", "\u0000x", "𝒳", "Ab"};
    Random random = new Random(5);
    StringBuilder text = new StringBuilder();
    Map<String, Long> oracle = new TreeMap<>();
    for (int i = 0; i < 3000; i++) {
      String w = words[random.nextInt(words.length)];
      if (w.isEmpty()) {
        continue;
      }
      text.append(w).append(i % 7 == 0 ? "\n" : " ");
      oracle.merge(w, 1L, Long::sum);
    }
    Files.writeString(input.resolve("t.txt"), text.toString());
    MapReduce.exec(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).combiner(new EngineContract.Sum()).reduceTasks(2).sortDescending()
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build())
        .get(60, TimeUnit.SECONDS);

    Map<String, Long> got = new TreeMap<>();
    for (Path f : outputFiles(dir.resolve("out"))) {
      List<String> keys = new ArrayList<>();
      for (String l : fileLines(f)) {
        String[] kv = l.split("\t");
        keys.add(kv[0]);
        assertThat(got.put(kv[0], Long.parseLong(kv[1]))).isNull();
      }
      List<String> decreasing = new ArrayList<>(keys);
      decreasing.sort((a, b) -> compareUtf8(b, a));
      assertThat(keys).as("%s", f).isEqualTo(decreasing);
    }
    assertThat(got).isEqualTo(oracle);
  }

  /** (count, word) from lines "word TAB count": the second job of a top-K. */
  public static final class ByCount extends Mapper<Long, String> {
    @Override
    public void map(long offset, String line, Emitter<Long, String> emitter) {
      String[] kv = line.split("\t");
      emitter.emit(Long.parseLong(kv[1]), kv[0]);
    }
  }

  public static final class Identity extends Reducer<Long, String> {
    @Override
    public void reduce(Long key, Iterable<String> values, Emitter<Long, String> emitter) {
      for (String v : values) {
        emitter.emit(key, v);
      }
    }
  }

  @Test
  void sortDescending_longKeysWithNegatives_largestFirst() throws Exception {
    Files.writeString(input.resolve("c.txt"), "a\t3\nb\t-7\nc\t100\nd\t0\ne\t" + Long.MIN_VALUE + "\nf\t"
        + Long.MAX_VALUE + "\n");
    MapReduce.exec(MapReduceSpecification.builder().mapper(new ByCount()).reducer(new Identity()).sortDescending()
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(fileLines(dir.resolve("out/mr-out-00000"))).containsExactly(Long.MAX_VALUE + "\tf", "100\tc",
        "3\ta", "0\td", "-7\tb", Long.MIN_VALUE + "\te");
  }

  @Test
  void totalOrder_longKeysDescending_concatenatedFilesAreOneDecreasingWhole() throws Exception {
    Random random = new Random(11);
    StringBuilder text = new StringBuilder();
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      long c = random.nextInt(1_000_000) - 500_000;
      counts.add(c);
      text.append('w').append(i).append('\t').append(c).append('\n');
    }
    Files.writeString(input.resolve("c.txt"), text.toString());
    var partitioner = io.mapreduce.lib.TotalOrderPartitioner.fromSamples(Long.class, counts.subList(0, 300), 4, true);
    MapReduce.exec(MapReduceSpecification.builder().mapper(new ByCount()).reducer(new Identity()).reduceTasks(4)
        .sortDescending().partitioner(partitioner).input(input.toString()).output(dir.resolve("out").toString())
        .workDirectory(work).build()).get(60, TimeUnit.SECONDS);

    List<Long> got = new ArrayList<>();
    List<Path> files = outputFiles(dir.resolve("out"));
    assertThat(files).hasSize(4);
    for (Path f : files) {
      assertThat(fileLines(f)).as("%s: the sample spreads the keys", f).hasSizeGreaterThan(300);
      for (String l : fileLines(f)) {
        got.add(Long.parseLong(l.substring(0, l.indexOf('\t'))));
      }
    }
    List<Long> expected = new ArrayList<>(counts);
    expected.sort(Comparator.reverseOrder());
    assertThat(got).isEqualTo(expected);
  }

  /** A user's event: grouped by user, newest first. */
  public record Event(String user, @Descending long time) {}

  public static final class Events extends Mapper<Event, Long> {
    @Override
    public void map(long offset, String line, Emitter<Event, Long> emitter) {
      String[] f = line.split(",");
      emitter.emit(new Event(f[0], Long.parseLong(f[1])), Long.parseLong(f[1]));
    }
  }

  /** One line per user: the times as the group gave them. */
  public static final class Timeline extends PairReducer<Event, Long, String, String> {
    @Override
    public void reduce(Event key, Iterable<Long> times, Emitter<String, String> emitter) {
      StringBuilder b = new StringBuilder();
      for (long t : times) {
        b.append(b.length() == 0 ? "" : " ").append(t);
      }
      emitter.emit(key.user(), b.toString());
    }
  }

  @Test
  void groupByPrefix_eventsPerUserInOneCallNewestFirst_eachUserInOneFile() throws Exception {
    Random random = new Random(9);
    Map<String, List<Long>> oracle = new TreeMap<>();
    StringBuilder text = new StringBuilder();
    String[] users = {"ann", "bob", "ann2", "an", "zoë", "", "𝒳"};
    for (int i = 0; i < 5000; i++) {
      String u = users[random.nextInt(users.length)];
      long t = random.nextInt(2000) - 1000;
      text.append(u).append(',').append(t).append('\n');
      oracle.computeIfAbsent(u, k -> new ArrayList<>()).add(t);
    }
    Files.writeString(input.resolve("events.csv"), text.toString());
    MapReduce.exec(MapReduceSpecification.builder().mapper(new Events()).reducer(new Timeline()).reduceTasks(3)
        .groupByPrefix(1).splitSize(8 << 10).sortBufferSize(64 << 10).input(input.toString())
        .output(dir.resolve("out").toString()).workDirectory(work).build()).get(60, TimeUnit.SECONDS);

    Map<String, String> got = new TreeMap<>();
    for (Path f : outputFiles(dir.resolve("out"))) {
      for (String l : fileLines(f)) {
        int tab = l.indexOf('\t');
        assertThat(got.put(l.substring(0, tab), l.substring(tab + 1))).as("user %s in one call", l).isNull();
      }
    }
    Map<String, String> expected = new TreeMap<>();
    oracle.forEach((u, ts) -> {
      List<Long> s = new ArrayList<>(ts);
      s.sort(Comparator.reverseOrder());
      expected.put(u, String.join(" ", s.stream().map(String::valueOf).toList()));
    });
    assertThat(got).isEqualTo(expected);
  }

  /** The times from each value's own key, not from the values (which are only 1s here). */
  public static final class KeyTimeline extends PairReducer<Event, Long, String, String> {
    @Override
    public void reduce(Event first, Iterable<Long> values, Emitter<String, String> emitter) {
      GroupValues<Event, Long> group = GroupValues.of(values);
      assertThat(group.currentKey()).isEqualTo(first);
      StringBuilder b = new StringBuilder();
      for (long one : group) {
        Event e = group.currentKey();
        assertThat(e.user()).isEqualTo(first.user());
        b.append(b.length() == 0 ? "" : " ").append(e.time());
      }
      emitter.emit(first.user(), b.toString());
    }
  }

  public static final class EventOnes extends Mapper<Event, Long> {
    @Override
    public void map(long offset, String line, Emitter<Event, Long> emitter) {
      String[] f = line.split(",");
      emitter.emit(new Event(f[0], Long.parseLong(f[1])), 1L);
    }
  }

  @Test
  void groupValues_currentKey_isEachValuesOwnKeyWithinAPrefixGroup() throws Exception {
    Files.writeString(input.resolve("e.csv"), "ann,1\nbob,5\nann,3\nbob,2\nann,2\n");
    MapReduce.exec(MapReduceSpecification.builder().mapper(new EventOnes()).reducer(new KeyTimeline())
        .groupByPrefix(1).input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(fileLines(dir.resolve("out/mr-out-00000"))).containsExactly("ann\t3 2 1", "bob\t5 2");
    assertThatThrownBy(() -> GroupValues.of(List.of(1L))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void groupByPrefix_keyThatIsNotARecordOrTooShort_refusedNamingTheType() {
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).groupByPrefix(1).input("in").output("out").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("groupByPrefix(1) needs a record key of more than 1 components, but the key type java.lang.String"
            + " is not a record");
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new Events()).reducer(new Timeline())
        .groupByPrefix(2).input("in").output("out").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the key type " + Event.class.getName() + " has 2");
  }
}
